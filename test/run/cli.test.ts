// `ringann run` end to end: a DiskANN-format config (Build and Load sources, BeamSearch and
// PipeSearch) runs; bad configs exit 2 listing every problem; a corrupt index exits 1; Ctrl-C exits
// 130 leaving only complete result files; the compiled binary runs a config from another folder.
import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { ResultRow } from "../../src/run/report/result-row.ts";
import { makeRunFixture, type RunFixture } from "./fixture.ts";
import { ensureBinary } from "../fixtures.ts";

const root = join(import.meta.dir, "../..");
const main = join(root, "src/cli/main.ts");
let fx: RunFixture;

beforeAll(async () => {
  fx = await makeRunFixture({ n: 5000, queries: 200 });
}, 120_000);
afterAll(() => fx?.cleanup());

function runCli(args: string[], cwd = fx.dir): { code: number; stdout: string; stderr: string } {
  const proc = Bun.spawnSync([process.execPath, main, "run", ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
  return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

function writeConfig(name: string, config: unknown, dir = fx.dir): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

test("a DiskANN benchmark config (Build, then Load; BeamSearch and PipeSearch) runs unchanged", () => {
  const phase = (mode: string) => ({
    queries: "queries.fbin",
    groundtruth: "gt20.bin",
    search_list: [10, 20, 40],
    beam_width: 4,
    recall_at: 10,
    num_threads: 1,
    is_flat_search: false,
    distance: "squared_l2",
    search_mode: { mode },
  });
  const config = writeConfig("diskann.json", {
    search_directories: ["data"],
    jobs: [
      {
        type: "disk-index",
        content: {
          source: {
            "disk-index-source": "Build",
            data_type: "float32",
            data: "base.fbin",
            distance: "squared_l2",
            dim: 32,
            max_degree: 24,
            l_build: 48,
            num_threads: 1,
            build_ram_limit_gb: 1.0,
            num_pq_chunks: 8,
            quantization_type: "FP",
            save_path: "built/diskann",
          },
          search_phase: phase("BeamSearch"),
        },
      },
      {
        type: "disk-index",
        content: {
          source: { "disk-index-source": "Load", data_type: "float32", load_path: "built/diskann" },
          search_phase: phase("PipeSearch"),
        },
      },
    ],
  });
  mkdirSync(join(fx.dir, "built"), { recursive: true });
  const { code, stdout, stderr } = runCli([config, "--json", "--quiet"]);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  const out = JSON.parse(stdout) as { rows: ResultRow[]; results: { json: string; csv: string }; charts: string[] };
  expect(out.rows.map((r) => `${r.mode} ${r.L}`)).toEqual([
    "beam 10",
    "beam 20",
    "beam 40",
    "pipe 10",
    "pipe 20",
    "pipe 40",
  ]);
  for (const r of out.rows) {
    expect(r.queries).toBe(200);
    expect([r.threads, r.concurrency, r.width, r.k]).toEqual([1, 1, 4, 10]);
    expect(r.qps).toBeGreaterThan(0);
  }
  expect(out.rows[2]!.recall).toBeGreaterThan(0.9);
  expect(out.rows[5]!.recall).toBeGreaterThan(0.9);
  expect(existsSync(join(fx.dir, "built/diskann_disk.index"))).toBe(true);
  expect(out.results.json).toBe(join(fx.dir, "results/diskann/results.json"));
  expect((JSON.parse(readFileSync(out.results.json, "utf8")) as { rows: unknown[] }).rows.length).toBe(6);
  expect(out.charts.map((c) => c.slice(c.lastIndexOf("/") + 1))).toEqual([
    "recall-latency.svg",
    "latency-percentiles.svg",
  ]);
}, 60_000);

test("a bad config exits 2 and lists every problem with its path", () => {
  const config = writeConfig("bad.json", {
    jobs: [{ type: "search", index: "nowhere/idx", dataset: "data", L: [5], threds: 2 }, { type: "sweep" }],
  });
  const { code, stderr, stdout } = runCli([config]);
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toContain(`Invalid ${config}:`);
  expect(stderr).toContain("jobs[0]: unknown field 'threds' (did you mean 'threads'?)");
  expect(stderr).toContain("jobs[1].index: missing; expected a path: the index prefix");
  const missing = runCli([
    writeConfig("missing.json", { jobs: [{ type: "search", index: "nowhere/idx", dataset: "data" }] }),
  ]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(
    `jobs[0].index: expected an index (<prefix>_disk.index), found no file at ${join(fx.dir, "nowhere/idx_disk.index")}`,
  );
});

test("a corrupt index fails the job with exit 1 and the file named", () => {
  const broken = join(fx.dir, "broken");
  mkdirSync(broken, { recursive: true });
  for (const suffix of ["_disk.index", "_pq_pivots.bin", "_pq_compressed.bin", "_ringann.json"])
    copyFileSync(fx.prefix + suffix, join(broken, "syn" + suffix));
  truncateSync(join(broken, "syn_disk.index"), statSync(join(broken, "syn_disk.index")).size - 4096);
  const config = writeConfig("corrupt.json", {
    jobs: [{ type: "search", index: "broken/syn", dataset: "data", L: 20, mode: "beam" }],
  });
  const { code, stderr } = runCli([config, "--quiet"]);
  expect(code).toBe(1);
  expect(stderr).toContain("Cannot run jobs[0]");
  expect(stderr).toContain("syn_disk.index");
});

test("Ctrl-C stops the run with exit 130 and leaves only complete result files", async () => {
  const config = writeConfig("long.json", {
    output: "results/long",
    jobs: [
      { type: "search", name: "first", index: "index/syn", dataset: "data", L: 20, mode: "beam" },
      {
        type: "sweep",
        name: "long",
        index: "index/syn",
        dataset: "data",
        L: [10, 20, 30, 40, 50, 60, 70, 80],
        mode: ["beam", "pipe"],
        concurrency: [1, 2, 4],
        width: [2, 4, 8],
      },
    ],
  });
  const out = join(fx.dir, "results/long");
  const proc = Bun.spawn([process.execPath, main, "run", config], { cwd: fx.dir, stdout: "pipe", stderr: "pipe" });
  const deadline = Date.now() + 30_000;
  while (!existsSync(join(out, "results.json")) && Date.now() < deadline) await Bun.sleep(20);
  await Bun.sleep(300); // now inside the long sweep
  proc.kill("SIGINT");
  const code = await proc.exited;
  const stderr = await new Response(proc.stderr).text();
  expect(code).toBe(130);
  expect(stderr).toContain("SIGINT: stopping");
  const report = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { rows: ResultRow[] };
  expect(report.rows.map((r) => r.job)).toEqual(["first"]);
  const csv = readFileSync(join(out, "results.csv"), "utf8").trimEnd().split("\n");
  expect(csv.length).toBe(2);
  expect(readdirSync(out).filter((f) => f.includes(".tmp-"))).toEqual([]);
}, 60_000);

test("the compiled binary runs a config from another folder", () => {
  const binary = join(root, "dist/ringann");
  ensureBinary(binary);
  const elsewhere = join(fx.dir, "elsewhere");
  const binDir = join(fx.dir, "bin");
  mkdirSync(elsewhere, { recursive: true });
  mkdirSync(binDir, { recursive: true });
  const copy = join(binDir, "ringann");
  copyFileSync(binary, copy);
  Bun.spawnSync(["chmod", "+x", copy]);
  const config = writeConfig("from-binary.json", {
    jobs: [
      { type: "sweep", index: "index/syn", dataset: "data", L: 20, mode: "pipe", threads: [1, 2], concurrency: [1, 2] },
    ],
  });
  const proc = Bun.spawnSync([copy, "run", config, "--json", "--quiet"], {
    cwd: elsewhere,
    env: { PATH: "/usr/bin:/bin" },
  });
  expect(proc.stderr.toString()).toBe("");
  expect(proc.exitCode).toBe(0);
  const out = JSON.parse(proc.stdout.toString()) as { rows: ResultRow[]; charts: string[] };
  expect(out.rows.map((r) => [r.threads, r.concurrency])).toEqual([
    [1, 1],
    [1, 2],
    [2, 1],
    [2, 2],
  ]);
  for (const r of out.rows) expect(r.recall).toBeGreaterThan(0.8);
  expect(out.charts.some((c) => c === join(fx.dir, "results/from-binary/qps-threads.svg"))).toBe(true);
  expect(readdirSync(elsewhere)).toEqual([]); // nothing written relative to the working directory
}, 120_000);
