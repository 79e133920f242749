// Field builders for the config schemas. Every builder carries the sentence a user reads when the
// field is wrong ("expected ..."), so config-issues.ts can print `path: expected X, found Y` for
// every problem, not zod's generic wording.
import { z } from "zod";

/** The message for any issue on this field: the expectation, never zod's default text. */
function expect(what: string): { error: () => string } {
  return { error: () => `expected ${what}` };
}

export function text(what: string) {
  return z.string(expect(what)).min(1, expect(what));
}

/** A file or folder path (relative paths resolve against the config's folder). */
export function pathField(what: string) {
  return text(`a path: ${what}`);
}

export function flag(what: string) {
  return z.boolean(expect(`true or false: ${what}`));
}

export function int(what: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  const e = expect(`an integer ${range} (${what})`);
  return z.number(e).int(e).min(min, e).max(max, e);
}

export function num(what: string, min: number, max = Number.MAX_VALUE, minExclusive = false) {
  const range = max === Number.MAX_VALUE ? `${minExclusive ? ">" : "≥"} ${min}` : `from ${min} to ${max}`;
  const e = expect(`a number ${range} (${what})`);
  const base = z.number(e);
  return (minExclusive ? base.gt(min, e) : base.min(min, e)).max(max, e);
}

/** An integer or a non-empty list of them: the sweepable parameters (L, width, threads...). */
export function intOrList(what: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  const e = expect(`an integer ${range} or a non-empty list of them (${what})`);
  const one = z.number(e).int(e).min(min, e).max(max, e);
  return z.union([one, z.array(one, e).min(1, e)], e);
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T, what?: string) {
  const list = values.map((v) => JSON.stringify(v)).join(" | ");
  return z.enum(values, expect(what ? `${list} (${what})` : list));
}

export function oneOrListOf<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  const list = values.map((v) => JSON.stringify(v)).join(" | ");
  const e = expect(`${list} or a non-empty list of them (${what})`);
  const one = z.enum(values, e);
  return z.union([one, z.array(one, e).min(1, e)], e);
}

/**
 * An object that rejects unknown fields, naming the known ones (typos must not silently run a
 * long job with defaults). `what` names the object in messages.
 */
export function record<S extends z.core.$ZodLooseShape>(what: string, shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === "unrecognized_keys") {
        const keys = issue.keys.map((k) => `'${k}'${suggest(k, known)}`).join(", ");
        return `unknown field ${keys} in ${what}; expected only: ${known.join(", ")}`;
      }
      return `expected an object (${what})`;
    },
  });
}

/** " (did you mean 'x'?)" when one known name is within edit distance 2, else "". */
export function suggest(name: string, known: readonly string[]): string {
  let best = "";
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  return best ? ` (did you mean '${best}'?)` : "";
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
