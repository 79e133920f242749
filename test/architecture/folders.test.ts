// The README's folder table is the map of the code: every folder under src/ is in it, and every
// `src/...` path it names exists.
import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");

function foldersUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = `${dir}/${entry.name}`;
    const children = foldersUnder(path);
    // A folder made only of sub-rooms (src/run) is described by its sub-rooms.
    const hasFiles = readdirSync(join(ROOT, path)).some((name) => name.endsWith(".ts"));
    if (hasFiles && children.length === 0) out.push(path);
    out.push(...children);
  }
  return out;
}

test("README's folder table names every folder of src/ and only paths that exist", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const rows = readme.split("\n").filter((line) => line.startsWith("| `"));
  const named = rows.flatMap((row) => [...(row.split(" | ")[0] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ""));
  expect(named.length).toBeGreaterThan(5);
  expect(named.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  const listed = new Set(named.map((path) => path.replace(/\/$/, "")));
  expect(foldersUnder("src").filter((folder) => !listed.has(folder))).toEqual([]);
});
