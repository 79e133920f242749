// The parser fuzzer: every reader in src/format and both config front doors get seeded mutations of a
// valid file (mutate.ts). Each case must parse or throw a FormatError / ConfigError that names the file
// and the field — never a RangeError, a TypeError, a hang or a crash. A failing input is written to
// test/fixtures/fuzz-regressions/ (commit it with the fix); every file kept there is replayed first.
//   RINGANN_FUZZ=N   mutations per format (default 150; the issue's local run is 100,000)
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, FormatError } from "../../src/errors.ts";
import { fixturePath } from "../fixtures.ts";
import { mutateBytes, mutateJson } from "./mutate.ts";
import { type FuzzTarget, fuzzTargets } from "./targets.ts";

const CASES = Number(process.env.RINGANN_FUZZ ?? 150);
const REGRESSIONS = fixturePath("fuzz-regressions");
const HANG_MS = 5000;

const dir = mkdtempSync(join(tmpdir(), "ringann-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const targets = fuzzTargets(dir);

function slug(t: FuzzTarget): string {
  return t.fileName.replace(/[^a-z0-9]+/gi, "-");
}

/** null when the outcome is acceptable, else what is wrong with it. */
function judge(t: FuzzTarget, run: () => void, mustFail = false): string | null {
  const t0 = performance.now();
  try {
    run();
    if (mustFail) return "accepted a NaN/Inf vector value";
  } catch (err) {
    if (err instanceof FormatError) {
      if (!err.message.includes(t.fileName)) return `FormatError does not name the file: ${err.message}`;
      if (err.field === "") return `FormatError names no field: ${err.message}`;
      return null;
    }
    if (err instanceof ConfigError) {
      if (!err.message.includes(t.fileName)) return `ConfigError does not name the file: ${err.message}`;
      if (err.problems.length === 0) return `ConfigError lists no problem: ${err.message}`;
      return null;
    }
    return err instanceof Error ? `${err.name}${"code" in err ? ` ${String(err.code)}` : ""}: ${err.message.slice(0, 300)}` : String(err);
  }
  const ms = performance.now() - t0;
  return ms > HANG_MS ? `took ${ms.toFixed(0)} ms` : null;
}

function parseCase(t: FuzzTarget, bytes: Uint8Array): () => void {
  return () => t.parse(bytes, join(dir, t.fileName));
}

describe("parser fuzzer", () => {
  test("every seed file parses cleanly before it is mutated", () => {
    for (const t of targets) {
      const bytes = "text" in t.seed ? new TextEncoder().encode(t.seed.text) : t.seed.bytes;
      expect(`${t.name}: ${judge(t, parseCase(t, bytes)) ?? "ok"}`).toBe(`${t.name}: ok`);
      expect(() => t.parse(bytes, join(dir, t.fileName))).not.toThrow();
    }
  });

  test("every kept regression input still ends in a clean error", () => {
    const files = existsSync(REGRESSIONS) ? readdirSync(REGRESSIONS) : [];
    const bad: string[] = [];
    for (const f of files) {
      const t = targets.find((x) => f.startsWith(`${slug(x)}--`));
      if (t === undefined) {
        bad.push(`${f}: no target named by its prefix`);
        continue;
      }
      // "--nonfinite-" inputs hold a NaN/Inf vector value, which must be refused, not just survived.
      const problem = judge(t, parseCase(t, new Uint8Array(readFileSync(join(REGRESSIONS, f)))), f.includes("--nonfinite-"));
      if (problem !== null) bad.push(`${f}: ${problem}`);
    }
    expect(bad).toEqual([]);
  });

  for (const t of targets) {
    test(`${t.name}: ${CASES} mutations end in a FormatError/ConfigError naming the file and field`, () => {
      const failures: string[] = [];
      for (let i = 0; i < CASES; i++) {
        let bytes: Uint8Array;
        let what: string;
        let mustFail: boolean | undefined;
        if ("text" in t.seed) {
          const m = mutateJson(t.seed.text, i);
          bytes = new TextEncoder().encode(m.text);
          what = m.what;
        } else {
          ({ bytes, what, mustFail } = mutateBytes(t.seed, i));
        }
        const problem = judge(t, parseCase(t, bytes), mustFail);
        if (problem === null) continue;
        mkdirSync(REGRESSIONS, { recursive: true });
        const name = `${slug(t)}--${mustFail ? "nonfinite-" : ""}case${i}`;
        writeFileSync(join(REGRESSIONS, name), bytes);
        failures.push(`case ${i} (${what}): ${problem}\n    kept as test/fixtures/fuzz-regressions/${name}`);
        if (failures.length >= 10) break;
      }
      expect(failures).toEqual([]);
    }, 600_000);
  }
});
