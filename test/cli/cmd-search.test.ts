// `ringann search` end to end on the PipeANN fixture: the table, the JSON rows, usage errors.
import { describe, expect, test } from "bun:test";
import { PIPEANN } from "../fixtures.ts";

const DIR = PIPEANN.dir + "/";
const BUN = process.execPath;

function search(args: string[]): { code: number; stdout: string; stderr: string } {
  const p = Bun.spawnSync([BUN, "src/cli/main.ts", "search", ...args], { cwd: `${import.meta.dir}/../..` });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

const COMMON = ["--index", DIR + "syn10k", "--queries", DIR + "query.fbin", "--gt", DIR + "gt100.bin", "--warmup", "5", "--quiet"];

describe("ringann search", () => {
  test("--json prints one row per mode, width and L with the documented keys", () => {
    const r = search([...COMMON, "--L", "10,20", "--mode", "beam,pipe", "--width", "4", "--json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).rows as Record<string, number | string>[];
    expect(rows.length).toBe(4);
    const keys = ["mode", "L", "width", "recall", "qps", "mean_us", "p50_us", "p99_us", "p999_us", "reads", "hops", "cache_hit", "occupancy"];
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual([...keys].sort());
      expect(row.recall as number).toBeGreaterThan(0.6);
      expect(row.occupancy as number).toBeGreaterThan(0);
      expect(row.occupancy as number).toBeLessThanOrEqual(1);
      expect(row.p50_us as number).toBeLessThanOrEqual(row.p99_us as number);
    }
    expect(rows.map((x) => `${x.mode}@${x.L}`).sort()).toEqual(["beam@10", "beam@20", "pipe@10", "pipe@20"]);
  });

  test("the table names the index, the reader and every column", () => {
    const r = search([...COMMON, "--L", "10", "--mode", "pipe", "--cache-nodes", "100", "--queries-limit", "50"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("10000 × 128 float32, l2, R 32");
    expect(r.stdout).toContain("cache 100 nodes");
    expect(r.stdout).toMatch(/mode\s+W\s+L\s+recall@10\s+QPS\s+mean_us\s+p50_us\s+p99_us\s+p99\.9_us\s+reads\s+hops\s+cache%\s+occup/);
  });

  test("usage errors say what is wrong", () => {
    const r = search([...COMMON, "--L", "5", "--k", "10"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("every L must be ≥ k (10)");
    const m = search([...COMMON, "--mode", "greedy"]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain("--mode takes beam, pipe or beam,pipe");
  });
});
