// `ringann search` with filters and a radius, end to end through the CLI (issue 12): labels attached to
// a copy of PipeANN's fixture index with `ringann labels`, filtered searches on 2 Worker threads with
// strategies side by side, range search against range truth written by `ringann gt --radius`, and an
// unknown label refused with exit code 2 naming the flag.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PIPEANN } from "../fixtures.ts";
import { tempDir } from "../io/helpers.ts";

const ROOT = join(import.meta.dir, "..", "..");
const BUN = process.execPath;
let tmp: { dir: string; cleanup: () => void };
const at = (name: string): string => join(tmp.dir, name);

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const p = Bun.spawnSync([BUN, "src/cli/main.ts", ...args], { cwd: ROOT });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

beforeAll(() => {
  tmp = tempDir("ringann-cli-filtered-");
  for (const s of [
    "_disk.index",
    "_pq_pivots.bin",
    "_pq_compressed.bin",
    "_mem.index",
    "_mem.index.data",
    "_mem.index.tags",
  ])
    copyFileSync(`${PIPEANN.prefix}${s}`, at(`lab${s}`));
  writeFileSync(
    at("labels.txt"),
    Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? "even" : "odd")).join("\n") + "\n",
  );
  const r = cli(["labels", "--index", at("lab"), "--data", PIPEANN.base, "--labels", at("labels.txt")]);
  expect(r.code).toBe(0);
});
afterAll(() => tmp.cleanup());

const INDEX = () => [
  "search",
  "--index",
  at("lab"),
  "--queries",
  PIPEANN.queries,
  "--metric",
  "l2",
  "--queries-limit",
  "30",
  "--warmup",
  "3",
  "--quiet",
];

describe("ringann search with filters and a radius", () => {
  test("--filter with --threads 2: strategies side by side, each row says what ran", () => {
    const r = cli([
      ...INDEX(),
      "--filter",
      "even",
      "--strategy",
      "auto,post",
      "--threads",
      "2",
      "--L",
      "40",
      "--mode",
      "pipe",
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).rows as Record<string, unknown>[];
    expect(rows.map((x) => x.strategy).sort()).toEqual(["auto", "post"]);
    for (const row of rows) {
      expect(row.threads).toBe(2);
      expect(row.selectivity).toBeCloseTo(0.5, 5);
      expect(typeof row.chosen).toBe("string");
      expect(row.found as number).toBeGreaterThan(9);
    }
    // The table shows the filter columns.
    const t = cli([...INDEX(), "--filter", "even", "--L", "40", "--mode", "beam"]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain("strategy");
    expect(t.stdout).toContain("chosen");
  }, 60_000);

  test("--radius with --range-gt: recall against range truth", () => {
    const g = cli([
      "gt",
      "--base",
      PIPEANN.base,
      "--queries",
      PIPEANN.queries,
      "--out",
      at("range.bin"),
      "--mean-count",
      "20",
      "--queries-limit",
      "30",
      "--quiet",
    ]);
    expect(g.code).toBe(0);
    const radius = /radius[^0-9]*([0-9.e+]+)/.exec(g.stdout + g.stderr)?.[1];
    expect(radius).toBeDefined();
    const r = cli([
      ...INDEX(),
      "--radius",
      radius!,
      "--range-gt",
      at("range.bin"),
      "--L",
      "10",
      "--threads",
      "2",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).rows as Record<string, number>[];
    expect(rows.length).toBe(2); // beam and pipe
    for (const row of rows) {
      expect(row.recall).toBeGreaterThan(0.9);
      expect(row.radius).toBe(Number(radius));
      expect(row.range_rounds).toBeGreaterThanOrEqual(1);
    }
  }, 60_000);

  test("an unknown label: exit code 2, the message names --filter", () => {
    const r = cli([...INDEX(), "--filter", '{"or": [{"label": "even"}, {"label": "blue"}]}', "--L", "20"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--filter.or[1].label");
    expect(r.stderr).toContain('unknown label "blue"');
  }, 30_000);
});
