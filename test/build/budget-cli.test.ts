// The memory budget refuses up front with the figure needed; the CLI ends --json output with one
// JSON line; `ringann info` reads back what was built; bad options are usage errors.
import { afterAll, expect, test } from "bun:test";
import { buildIndex } from "../../src/build/build-index.ts";
import { estimateBuildMemory } from "../../src/build/memory-budget.ts";
import { RingannError, UsageError } from "../../src/errors.ts";
import { writeBin } from "../../src/format/bin.ts";
import { makeSynthetic } from "../../src/data/synthetic.ts";
import { makeTempDir } from "../format/tmp.ts";

const tmp = makeTempDir("build-cli");
afterAll(() => tmp.cleanup());
const { base } = makeSynthetic({ n: 3000, dim: 32, seed: 4 });
const ROOT = `${import.meta.dir}/../..`;

test("a build that does not fit --ram-gb is refused before it starts, naming the memory needed", async () => {
  const estimate = estimateBuildMemory({
    npts: 3000,
    dim: 32,
    type: "float32",
    R: 32,
    pqBytes: 8,
    threads: 2,
    normalizedCopy: false,
  });
  const err = await buildIndex({
    data: base,
    dim: 32,
    outPrefix: tmp.path("budget"),
    R: 32,
    threads: 2,
    pqBytes: 8,
    ramGb: 0.01,
  }).catch((e) => e);
  expect(err).toBeInstanceOf(RingannError);
  expect((err as RingannError).code).toBe("E_MEMORY_BUDGET");
  expect((err as Error).message).toContain(`${(estimate.totalBytes / 2 ** 30).toFixed(2)} GB`);
  // At 1M x 128 float32 the vectors alone are 512 MB and the graph's 84 slots per node 336 MB.
  const big = estimateBuildMemory({
    npts: 1_000_000,
    dim: 128,
    type: "float32",
    R: 64,
    pqBytes: 32,
    threads: 2,
    normalizedCopy: false,
  });
  expect(big.totalBytes).toBeGreaterThan(512e6 + 1e6 * 84 * 4);
});

test("invalid parameters are usage errors naming the problem", async () => {
  await expect(buildIndex({ data: base, dim: 32, outPrefix: tmp.path("bad"), R: 0 })).rejects.toBeInstanceOf(
    UsageError,
  );
  await expect(
    buildIndex({ data: new Uint8Array(64), dim: 32, outPrefix: tmp.path("bad"), metric: "cosine" }),
  ).rejects.toThrow(/cosine needs float32/);
  await expect(buildIndex({ data: base, dim: 31, outPrefix: tmp.path("bad") })).rejects.toThrow(/multiple of dim/);
});

test("ringann build --json ends with one JSON line; ringann info reads the index back", async () => {
  const data = tmp.path("base.fbin");
  writeBin(data, "float32", base, 32);
  const prefix = tmp.path("cli");
  const build = Bun.spawnSync(
    [
      process.execPath,
      "src/cli/main.ts",
      "build",
      "--data",
      data,
      "--out",
      prefix,
      "--R",
      "24",
      "--L",
      "40",
      "--pq-bytes",
      "8",
      "--threads",
      "2",
      "--metric",
      "cosine",
      "--json",
      "--quiet",
    ],
    { cwd: ROOT },
  );
  expect(build.exitCode).toBe(0);
  const lines = build.stdout.toString().trim().split("\n");
  const summary = JSON.parse(lines[lines.length - 1]!);
  expect(summary.seconds).toBeGreaterThan(0);
  expect(summary.peak_rss_mb).toBeGreaterThan(10);
  expect(summary).toMatchObject({ npts: 3000, dim: 32, metric: "cosine", R: 24, L: 40, pq_bytes: 8 });

  const info = Bun.spawnSync([process.execPath, "src/cli/main.ts", "info", prefix, "--json"], { cwd: ROOT });
  expect(info.exitCode).toBe(0);
  const report = JSON.parse(info.stdout.toString());
  expect(report).toMatchObject({ metric: "cosine", type: "float32", sidecar: true });
  expect(report.disk).toMatchObject({
    npts: 3000,
    dim: 32,
    R: 24,
    header_variant: "diskann-cpp",
    nodes_per_sector: Math.floor(4096 / (128 + 100)),
  });
  expect(report.pq).toMatchObject({ M: 8, offsets: 5 });
  expect(report.entry_graph.npts).toBe(30);

  const bad = Bun.spawnSync(
    [process.execPath, "src/cli/main.ts", "build", "--data", data, "--out", prefix, "--metric", "hamming"],
    { cwd: ROOT },
  );
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr.toString()).toContain("--metric must be one of");
}, 60_000);
