// `ringann search` end to end on the PipeANN fixture: the JSON rows (today's field names are pinned:
// users' scripts read them), the table, results files, usage errors.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PIPEANN } from "../fixtures.ts";
import { tempDir } from "../io/helpers.ts";

const ROOT = join(import.meta.dir, "..", "..");
const DIR = PIPEANN.dir;
const BUN = process.execPath;

function search(args: string[]): { code: number; stdout: string; stderr: string } {
  const p = Bun.spawnSync([BUN, "src/cli/main.ts", "search", ...args], { cwd: ROOT });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

const INDEX = ["--index", join(DIR, "syn10k"), "--queries", join(DIR, "query.fbin")];
const COMMON = [...INDEX, "--gt", join(DIR, "gt100.bin"), "--warmup", "5", "--quiet"];

/** The fields `ringann search --json` rows have always had, with their types; new fields may follow. */
const PINNED: Record<string, "string" | "number"> = {
  mode: "string",
  L: "number",
  width: "number",
  recall: "number",
  qps: "number",
  mean_us: "number",
  p50_us: "number",
  p99_us: "number",
  p999_us: "number",
  reads: "number",
  hops: "number",
  cache_hit: "number",
  occupancy: "number",
};

describe("ringann search", () => {
  test("--json prints one row per mode, width and L with today's field names", () => {
    const r = search([...COMMON, "--L", "10,20", "--mode", "beam,pipe", "--width", "4", "--json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).rows as Record<string, number | string>[];
    expect(rows.length).toBe(4);
    for (const row of rows) {
      for (const [key, type] of Object.entries(PINNED)) expect([key, typeof row[key]]).toEqual([key, type]);
      expect(row.recall as number).toBeGreaterThan(0.6);
      expect(row.occupancy as number).toBeGreaterThan(0);
      expect(row.occupancy as number).toBeLessThanOrEqual(1);
      expect(row.cache_hit as number).toBe(0);
      expect(row.p50_us as number).toBeLessThanOrEqual(row.p99_us as number);
      expect(row.p99_us as number).toBeLessThanOrEqual(row.p999_us as number);
      expect(row.mean_us as number).toBeGreaterThan(0);
      expect(row.qps as number).toBeGreaterThan(0);
      expect(row.hops as number).toBeGreaterThan(5);
      expect(row.reads as number).toBeGreaterThanOrEqual(row.hops as number);
      expect(row.width).toBe(4);
    }
    expect(rows.map((x) => `${x.mode}@${x.L}`).sort()).toEqual(["beam@10", "beam@20", "pipe@10", "pipe@20"]);
    // Beam expands every node it reads; pipe starts from the entry graph and measures it.
    const beam = rows.find((x) => x.mode === "beam")!;
    const pipe = rows.find((x) => x.mode === "pipe")!;
    expect(beam.hops).toBe(beam.reads);
    expect(pipe.entry_us as number).toBeGreaterThan(0);
  }, 60_000);

  test("without --gt, recall is null in JSON and every other figure is there", () => {
    const r = search([
      ...INDEX,
      "--L",
      "10",
      "--mode",
      "beam",
      "--queries-limit",
      "20",
      "--warmup",
      "0",
      "--quiet",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).rows as Record<string, unknown>[];
    expect(rows.length).toBe(1);
    expect(rows[0]!.recall).toBeNull();
    expect(rows[0]!.queries).toBe(20);
    expect(rows[0]!.reads as number).toBeGreaterThan(5);
  }, 60_000);

  test("the table has the runner's columns; --out writes results.json, results.csv and charts", () => {
    const tmp = tempDir("ringann-search-out-");
    try {
      const out = join(tmp.dir, "res");
      const r = search([
        ...COMMON,
        "--L",
        "10",
        "--mode",
        "pipe",
        "--cache-nodes",
        "100",
        "--queries-limit",
        "50",
        "--out",
        out,
      ]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        /job\s+mode\s+L\s+W\s+thr\s+conc\s+recall@k\s+QPS\s+mean µs\s+p50\s+p99\s+p99\.9\s+reads\s+hops\s+cache%\s+occup/,
      );
      expect(r.stdout).toMatch(/search\s+pipe\s+10\s+4\s+1\s+1\s+0\.\d{4}/);
      const json = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
      expect(json.rows.length).toBe(1);
      expect(json.rows[0].cache_hit).toBeGreaterThan(0);
      expect(readFileSync(join(out, "results.csv"), "utf8").split("\n")[0]).toStartWith(
        "job,index,mode,L,width,threads",
      );
      expect(existsSync(join(out, "recall-latency.svg"))).toBe(true);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);

  test("usage errors say what is wrong", () => {
    const r = search([...COMMON, "--L", "5", "--k", "10"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("every L must be ≥ k (10)");
    const m = search([...COMMON, "--mode", "greedy"]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain("--mode takes beam, pipe or beam,pipe");
    const c = search([...COMMON, "--concurrency", "2"]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("--order sequential");
  }, 60_000);
});
