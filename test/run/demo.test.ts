// `ringann run` with no config: the built-in demo (synthetic data, build, beam vs pipe) in the
// folder given by --dir; a second run reuses the data and the index and searches again.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { JobRecord } from "../../src/run/report/report.ts";
import type { ResultRow } from "../../src/run/report/result-row.ts";
import { tempDir } from "../io/helpers.ts";

const main = join(import.meta.dir, "../../src/cli/main.ts");
let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir("ringann-demo-");
});
afterAll(() => tmp.cleanup());

function demo(dir: string): {
  code: number;
  out: { rows: ResultRow[]; jobs: JobRecord[]; charts: string[]; results: { json: string } };
  stderr: string;
} {
  const proc = Bun.spawnSync([process.execPath, main, "run", "--dir", dir, "--json", "--quiet"], { cwd: tmp.dir });
  return { code: proc.exitCode ?? -1, out: JSON.parse(proc.stdout.toString() || "{}"), stderr: proc.stderr.toString() };
}

test("`ringann run` runs the built-in demo, then reuses its data and index", () => {
  const dir = join(tmp.dir, "demo");
  const first = demo(dir);
  expect(first.stderr).toBe("");
  expect(first.code).toBe(0);
  expect(first.out.jobs.map((j) => j.status)).toEqual(["done", "done", "done"]);
  expect(first.out.rows.map((r) => `${r.mode} ${r.L}`)).toEqual([
    "beam 10",
    "beam 20",
    "beam 40",
    "beam 80",
    "pipe 10",
    "pipe 20",
    "pipe 40",
    "pipe 80",
  ]);
  for (const mode of ["beam", "pipe"]) {
    const rows = first.out.rows.filter((r) => r.mode === mode);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.recall).toBeGreaterThanOrEqual(rows[i - 1]!.recall - 0.005);
    expect(rows[rows.length - 1]!.recall).toBeGreaterThan(0.95);
  }
  expect(first.out.results.json).toBe(join(dir, "results/results.json"));
  for (const chart of first.out.charts) expect(existsSync(chart)).toBe(true);
  expect(existsSync(join(dir, "index/demo_disk.index"))).toBe(true);

  const second = demo(dir);
  expect(second.code).toBe(0);
  expect(second.out.jobs.map((j) => j.status)).toEqual(["reused", "reused", "done"]);
  // Beam search is deterministic: the same index gives the same recall.
  expect(second.out.rows.filter((r) => r.mode === "beam").map((r) => r.recall)).toEqual(
    first.out.rows.filter((r) => r.mode === "beam").map((r) => r.recall),
  );
}, 600_000); // the whole demo: minutes on a loaded 2-core machine
