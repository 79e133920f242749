// Turns zod issues into one line per problem: "<JSON path>: expected <what>, found <value>".
// The "expected" half comes from the field builders (config-fields.ts); the "found" half is the
// value zod saw (parse with reportInput: true).
import type { z } from "zod";

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = jsonPath(issue.path);
    const message = issue.message;
    if (!message.startsWith("expected")) {
      lines.push(`${path}: ${message}`);
      continue;
    }
    let found: unknown = issue.input;
    let where = path;
    if (issue.code === "invalid_union" && "discriminator" in issue && typeof issue.discriminator === "string") {
      // zod reports a bad discriminator on the object; point at the field itself.
      found = isObject(issue.input) ? issue.input[issue.discriminator] : issue.input;
      if (!issue.path.includes(issue.discriminator)) where = jsonPath([...issue.path, issue.discriminator]);
      if (found === undefined && !isObject(issue.input)) found = issue.input;
    }
    lines.push(
      found === undefined ? `${where}: missing; ${message}` : `${where}: ${message}, found ${describe(found)}`,
    );
  }
  return dedupe(lines);
}

/** `jobs[2].content.source["disk-index-source"]`; the root is `(top level)`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return truncate(JSON.stringify(value));
  if (typeof value === "object") return `an object ${truncate(JSON.stringify(value))}`;
  if (typeof value === "string") return truncate(JSON.stringify(value));
  return String(value);
}

function truncate(s: string): string {
  return s.length <= 60 ? s : `${s.slice(0, 57)}...`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
