// Imports go down only. Every file under src/ belongs to a room with a rank; a file may import its
// own room or a lower rank, never a higher one and never a different room of the same rank (sideways).
// The import specifiers are read with TypeScript's own pre-processor (static, type-only, dynamic and
// re-exports alike), and Worker entry points named with workerEntry("...") count as imports too.
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const ROOT = join(import.meta.dir, "..", "..");
const SRC = join(ROOT, "src");

/**
 * Rooms, bottom first. A room is a folder under src/ (or a file at its top); the longest matching
 * prefix wins, so `run/config/` ranks below `run/report/`, which ranks below `run/exec/`.
 */
const RANKS: readonly (readonly string[])[] = [
  ["errors.ts", "assets.d.ts", "runtime/", "progress/"], // no project imports: errors, Worker paths, progress bars
  ["exit-codes.ts"], // the one error code → exit code map (imports errors only)
  ["format/"], // pure functions of bytes; owns the on-disk constants (SECTOR_BYTES)
  ["io/"], // readers, the ring, the native binding
  ["math/"], // distances, PQ tables, native kernels, pinned arrays for C
  ["data/", "filter/"], // datasets, ground truth, recall; label sets and filter predicates (siblings)
  ["build/", "search/"], // index construction; queries over an index (siblings: neither imports the other)
  ["run/config/"], // zod and DiskANN schemas, the plan
  ["run/report/"], // rows, tables, results.json/.csv, charts, run log
  ["serve/"], // HTTP serving over the async query API (uses run/config's field builders; run/exec may start it)
  ["run/exec/"], // steps, the Worker pool, Workers, shared index memory
  ["run/"], // run/index.ts: the room's public face
  ["cli/"], // commands
  ["index.ts"], // the library's public face
];

/** Known exceptions, each with the reason it is still here. The import test fails on anything else. */
const ALLOWED = new Set<string>([]);

interface Room {
  readonly name: string;
  readonly rank: number;
}

function roomOf(pathFromSrc: string): Room | null {
  let best: Room | null = null;
  RANKS.forEach((names, rank) => {
    for (const name of names) {
      const match = name.endsWith("/") ? pathFromSrc.startsWith(name) : pathFromSrc === name;
      if (match && (best === null || name.length > best.name.length)) best = { name, rank };
    }
  });
  return best;
}

/** The reason an import from → to is forbidden, or null when it goes down or stays in its room. */
export function violation(from: string, to: string): string | null {
  const a = roomOf(from);
  const b = roomOf(to);
  if (a === null) return `${from} is in no ranked room (add its folder to RANKS)`;
  if (b === null) return `${to} is in no ranked room (add its folder to RANKS)`;
  if (a.name === b.name) return null;
  if (b.rank > a.rank) return `${from} (${a.name}) imports ${to} (${b.name}), a higher room`;
  if (b.rank === a.rank) return `${from} (${a.name}) imports ${to} (${b.name}), a sibling room`;
  return null;
}

/** Project files (paths from src/) that `file` imports. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), "utf8");
  const out: string[] = [];
  for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
    if (!spec.startsWith(".")) continue; // packages and runtime modules (zod, bun:ffi, node:fs)
    const target = relative(SRC, resolve(SRC, dirname(file), spec));
    if (target.startsWith("..")) continue; // assets outside src/ (the native library in dist/)
    out.push(target);
  }
  // A Worker's entry is named by its path from src/ (src/runtime/worker-entry.ts).
  for (const m of text.matchAll(/workerEntry\("([^"]+)"/g)) if (m[1] !== undefined) out.push(m[1]);
  return out;
}

const files = [...new Bun.Glob("**/*.ts").scanSync({ cwd: SRC })].sort();

test("src/ has files and every one is in a ranked room", () => {
  expect(files.length).toBeGreaterThan(50);
  expect(files.filter((f) => roomOf(f) === null)).toEqual([]);
});

test("imports go down only (errors → format → io → math → data → build/search → run → cli)", () => {
  const problems: string[] = [];
  const allowedSeen = new Set<string>();
  for (const file of files) {
    for (const target of importsOf(file)) {
      if (!existsSync(join(SRC, target))) {
        problems.push(`${file} imports ${target}, which does not exist`);
        continue;
      }
      const why = violation(file, target);
      if (why === null) continue;
      const edge = `${file} -> ${target}`;
      if (ALLOWED.has(edge)) allowedSeen.add(edge);
      else problems.push(why);
    }
  }
  expect(problems).toEqual([]);
  // An exception that no longer occurs must leave the list, so the list never hides a new edge.
  expect([...ALLOWED].filter((e) => !allowedSeen.has(e))).toEqual([]);
});

test("the rule itself: up and sideways imports are caught, down and same-room imports pass", () => {
  expect(violation("format/disk-index.ts", "io/reader.ts")).toContain("higher room");
  expect(violation("build/layout.ts", "search/cache.ts")).toContain("sibling room");
  expect(violation("data/gt-run.ts", "cli/progress.ts")).toContain("higher room");
  expect(violation("run/config/plan.ts", "run/exec/jobs.ts")).toContain("higher room");
  expect(violation("run/exec/jobs.ts", "run/report/report.ts")).toBeNull();
  expect(violation("io/reader.ts", "format/sector.ts")).toBeNull();
  expect(violation("search/beam.ts", "search/queue.ts")).toBeNull();
  expect(violation("nowhere/x.ts", "errors.ts")).toContain("no ranked room");
});
