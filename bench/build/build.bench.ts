// Index-build benchmark: for each dataset, `ringann build` in its own process (wall time and peak
// RSS come from its --json line), then recall@10 of exact in-memory greedy search over the built
// graph at L = 10, 20, 50, 100 (graph quality alone: no PQ, no disk).
//
//   bun bench/build/build.bench.ts [syn100k|fmnist|glove|all] [--threads 2] [--queries 1000] [--append]
//
// Datasets (made by `ringann dataset ...`) under $DATA (default ./data): $DATA/syn100k (synthetic
// 100,000 x 128 float32), $DATA/fmnist (60,000 x 784 uint8), $DATA/glove100 (331,479 x 100 float32,
// cosine). Indexes go to $DATA/idx/<name> (keep $DATA outside the repository). --append adds the figures to
// docs/benchmarks.md. RINGANN_KERNELS=ts forces the TypeScript distance loops.
import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { graphRecall, loadDiskGraph } from "../../src/build/graph-recall.ts";
import { readBin } from "../../src/format/bin.ts";
import { readTruth } from "../../src/format/truth.ts";
import type { Metric, VectorType } from "../../src/format/vector-type.ts";
import { loadNativeKernels } from "../../src/math/native-kernels.ts";

interface Dataset {
  readonly name: string;
  readonly dir: string;
  readonly base: string;
  readonly queries: string;
  readonly type: VectorType;
  readonly metric: Metric;
}

const DATA = process.env.DATA ?? "data";
const DATASETS: Dataset[] = [
  {
    name: "syn100k",
    dir: `${DATA}/syn100k`,
    base: "base.fbin",
    queries: "queries.fbin",
    type: "float32",
    metric: "l2",
  },
  { name: "fmnist", dir: `${DATA}/fmnist`, base: "base.u8bin", queries: "queries.u8bin", type: "uint8", metric: "l2" },
  {
    name: "glove100",
    dir: `${DATA}/glove100`,
    base: "base.fbin",
    queries: "queries.fbin",
    type: "float32",
    metric: "cosine",
  },
];

const args = process.argv.slice(2);
const which = args.find((a) => !a.startsWith("--") && !/^\d+$/.test(a)) ?? "all";
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const threads = flag("threads", 2);
const nqLimit = flag("queries", 1000);
const R = flag("R", 64);
const L = flag("L", 100);
const append = args.includes("--append");
const ROOT = join(import.meta.dir, "..", "..");

const rows: string[] = [];
for (const ds of DATASETS) {
  if (which !== "all" && which !== ds.name) continue;
  const base = join(ds.dir, ds.base);
  if (!existsSync(base)) {
    console.error(`skip ${ds.name}: ${base} missing (make it with \`ringann dataset\`)`);
    continue;
  }
  const prefix = `${DATA}/idx/${ds.name}_R${R}_L${L}`;
  const cmd = [
    process.execPath,
    "src/cli/main.ts",
    "build",
    "--data",
    base,
    "--out",
    prefix,
    "--metric",
    ds.metric,
    "--R",
    String(R),
    "--L",
    String(L),
    "--threads",
    String(threads),
    "--json",
    "--quiet",
  ];
  console.error(`$ ${cmd.slice(1).join(" ")}`);
  const child = Bun.spawnSync(cmd, { cwd: ROOT, stderr: "inherit" });
  if (child.exitCode !== 0) throw new Error(`build of ${ds.name} failed (exit ${child.exitCode})`);
  const out = child.stdout.toString().trim().split("\n");
  const summary = JSON.parse(out[out.length - 1]!) as {
    seconds: number;
    peak_rss_mb: number;
    kernel: string;
    distance_computations: number;
    phases: Record<string, number>;
  };
  console.error(
    `phases (s): ${JSON.stringify(summary.phases)}; distance computations ${summary.distance_computations}`,
  );

  const loaded = loadDiskGraph(prefix, ds.type);
  const queries = readBin(join(ds.dir, ds.queries), ds.type);
  const truth = readTruth(join(ds.dir, "gt100.bin"));
  const nq = Math.min(nqLimit, queries.npts, truth.nq);
  const recalls = graphRecall({
    loaded,
    queries: queries.data,
    nq,
    truthIds: truth.ids,
    truthK: truth.k,
    k: 10,
    Ls: [10, 20, 50, 100],
    metric: ds.metric,
    kernels: await loadNativeKernels(),
  });
  let deg = 0;
  for (let i = 0; i < loaded.meta.npts; i++) deg += loaded.graph.degree[i]!;
  const line =
    `| ${ds.name} ${loaded.meta.npts}x${loaded.meta.dim} ${ds.type} ${ds.metric} | R ${R} L ${L} | ${threads} | ${summary.seconds.toFixed(1)} s | ` +
    `${summary.peak_rss_mb} MB | ${summary.kernel} | ${(deg / loaded.meta.npts).toFixed(1)} | ` +
    recalls.map((r) => r.recall.toFixed(4)).join(" / ") +
    ` | $DATA/idx/${ds.name}_R${R}_L${L} |`;
  console.log(line);
  rows.push(line);
}

if (append && rows.length > 0) {
  const text = [
    "",
    `### Index build (bench/build/build.bench.ts) — 2026-11-21, 2 cores shared with other agents`,
    "",
    `Command: \`bun bench/build/build.bench.ts ${args.join(" ")}\` (RINGANN_KERNELS=${process.env.RINGANN_KERNELS ?? "auto"}).`,
    `Recall@10 is exact in-memory greedy search over the built graph from the medoid (no PQ, no disk), first ${nqLimit} queries.`,
    "",
    "| data | build params | threads | wall time | peak RSS | kernel | avg degree | recall@10 at L=10/20/50/100 | index prefix |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
  appendFileSync(join(ROOT, "docs/benchmarks.md"), text);
}
