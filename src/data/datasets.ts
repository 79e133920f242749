// Writing a dataset directory: base, queries and exact ground truth in DiskANN formats, then
// manifest.json (written last, so a directory with a manifest is complete).
//   fashion-mnist: base.u8bin / queries.u8bin, l2
//   glove-100:     base.fbin / queries.fbin, unit-normalised, cosine; base-words.txt / query-words.txt
//   synthetic:     base.fbin / queries.fbin (or .u8bin with type uint8), seeded low-intrinsic-dimension
//                  Gaussian mixture
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../format/atomic-file.ts";
import { writeBin } from "../format/bin.ts";
import { writeTruth } from "../format/truth.ts";
import type { Metric, VectorType, Vectors } from "../format/vector-type.ts";
import { normalizeRows } from "../math/distance.ts";
import { loadFashionMnist, FASHION_MNIST_DIR } from "./fashion-mnist.ts";
import { loadGlove, resolveGloveFile, GLOVE_PACKAGE } from "./glove.ts";
import { memoryRows, type InMemoryVectors } from "./ground-truth.ts";
import { runGroundTruth, type GroundTruthRun } from "./gt-run.ts";
import { writeManifest, type DatasetManifest, type DatasetPaths, readManifest } from "./manifest.ts";
import { DatasetRng } from "./rng.ts";
import { ZIPF_TARGET_RANKS, fashionMnistLabels, zipfLabels, zipfQueryFilters } from "./labels-data.ts";
import { makeSynthetic, makeSyntheticUint8, type SyntheticOptions } from "./synthetic.ts";

export const DATASET_NAMES = ["fashion-mnist", "glove-100", "synthetic"] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface DatasetWriteOptions {
  /** Ground-truth neighbours per query (default 100). */
  readonly k?: number;
  readonly threads?: number;
  readonly quiet?: boolean;
  /** Keep only the first N queries (fast tests); the default keeps them all. */
  readonly queriesLimit?: number;
  /** Progress lines (default: stderr unless quiet). */
  readonly log?: (line: string) => void;
}

export interface DatasetWritten {
  readonly paths: DatasetPaths;
  readonly groundTruth: GroundTruthRun;
}

const EXT: Record<VectorType, string> = { float32: "fbin", uint8: "u8bin", int8: "i8bin" };
const VERSION = "ringann 0.1.0";

interface DatasetContent {
  readonly name: DatasetName;
  readonly source: string;
  readonly metric: Metric;
  readonly base: InMemoryVectors;
  readonly queries: InMemoryVectors;
  readonly params: Record<string, number | string | boolean>;
  /** Extra text files by role → [file name, content]. */
  readonly extraFiles?: Record<string, [string, string]>;
}

async function writeDatasetDir(
  dir: string,
  content: DatasetContent,
  opts: DatasetWriteOptions,
): Promise<DatasetWritten> {
  const k = Math.min(opts.k ?? 100, content.base.npts);
  const log = opts.log ?? ((line: string) => (opts.quiet ? undefined : process.stderr.write(line + "\n")));
  const { base, metric } = content;
  const queries = limitQueries(content.queries, opts.queriesLimit);
  mkdirSync(dir, { recursive: true });
  const files = { base: `base.${EXT[base.type]}`, queries: `queries.${EXT[queries.type]}`, groundtruth: `gt${k}.bin` };
  writeBin(join(dir, files.base), base.type, base.data, base.dim);
  writeBin(join(dir, files.queries), queries.type, queries.data, queries.dim);
  const extra: Record<string, string> = {};
  for (const [role, [name, text]] of Object.entries(content.extraFiles ?? {})) {
    writeFileAtomic(join(dir, name), text);
    extra[role] = name;
  }
  log(
    `${content.name}: wrote ${base.npts} base and ${queries.npts} query vectors (${base.dim}-d ${base.type}); computing exact top-${k} ground truth (${metric})`,
  );
  const gt = await runGroundTruth(memoryRows(base, files.base), queries, {
    k,
    metric,
    threads: opts.threads,
    quiet: opts.quiet,
    label: `${content.name} ground truth`,
  });
  writeTruth(join(dir, files.groundtruth), gt.truth);
  const manifest: DatasetManifest = {
    name: content.name,
    source: content.source,
    ...files,
    counts: { base: base.npts, queries: queries.npts },
    dim: base.dim,
    type: base.type,
    metric,
    k,
    params: opts.queriesLimit !== undefined ? { ...content.params, queriesLimit: opts.queriesLimit } : content.params,
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
    createdBy: VERSION,
  };
  writeManifest(dir, manifest);
  log(
    `${content.name}: ground truth ${gt.seconds.toFixed(1)} s (${(gt.distancesPerSecond / 1e6).toFixed(2)} M distances/s); manifest ${join(dir, "manifest.json")}`,
  );
  return { paths: readManifest(dir), groundTruth: gt };
}

function limitQueries(q: InMemoryVectors, limit: number | undefined): InMemoryVectors {
  if (limit === undefined || limit >= q.npts) return q;
  return { ...q, npts: limit, data: q.data.subarray(0, limit * q.dim) as Vectors };
}

/** Fashion-MNIST from the Debian package (or `sourceDir` holding the same idx files). */
export async function writeFashionMnist(
  dir: string,
  opts: DatasetWriteOptions & { sourceDir?: string } = {},
): Promise<DatasetWritten> {
  const sourceDir = opts.sourceDir ?? FASHION_MNIST_DIR;
  const { base, queries, source } = loadFashionMnist(sourceDir);
  // Issue 12: the real classes as labels; each query filtered by its own class.
  const labels = fashionMnistLabels(sourceDir);
  const queryClasses = labels.queries.slice(0, opts.queriesLimit ?? labels.queries.length);
  return writeDatasetDir(
    dir,
    {
      name: "fashion-mnist",
      source,
      metric: "l2",
      base,
      queries,
      params: {},
      extraFiles: {
        baseLabels: ["base_labels.txt", labels.base.join("\n") + "\n"],
        queryFilters: ["query_filters.txt", queryClasses.join("\n") + "\n"],
      },
    },
    opts,
  );
}

export interface GloveSplitOptions {
  /** Seed of the query/base split (default 42). */
  readonly seed?: number;
  /** Words held out as queries (default 10,000). */
  readonly queries?: number;
  /** The package JSON file or directory (default: found under node_modules). */
  readonly source?: string;
}

/** GloVe 100-d: a fixed-seed split of held-out query words, the rest the base; unit vectors, cosine. */
export async function writeGlove100(
  dir: string,
  opts: DatasetWriteOptions & GloveSplitOptions = {},
): Promise<DatasetWritten> {
  const seed = opts.seed ?? 42;
  const nq = opts.queries ?? 10_000;
  const file = resolveGloveFile(opts.source);
  const { words, dim, vectors } = loadGlove(file);
  normalizeRows(vectors, dim);
  const isQuery = new Uint8Array(words.length);
  for (const i of new DatasetRng(seed, 0).sampleIndices(words.length, nq)) isQuery[i] = 1;
  const base = new Float32Array((words.length - nq) * dim);
  const queries = new Float32Array(nq * dim);
  const baseWords: string[] = [];
  const queryWords: string[] = [];
  for (let i = 0, b = 0, q = 0; i < words.length; i++) {
    const row = vectors.subarray(i * dim, (i + 1) * dim);
    if (isQuery[i]) {
      queries.set(row, q++ * dim);
      queryWords.push(words[i]!);
    } else {
      base.set(row, b++ * dim);
      baseWords.push(words[i]!);
    }
  }
  const keptQueryWords = opts.queriesLimit !== undefined ? queryWords.slice(0, opts.queriesLimit) : queryWords;
  return writeDatasetDir(
    dir,
    {
      name: "glove-100",
      source: `npm package ${GLOVE_PACKAGE} (${file})`,
      metric: "cosine",
      base: { npts: words.length - nq, dim, type: "float32", data: base },
      queries: { npts: nq, dim, type: "float32", data: queries },
      params: { seed, heldOutQueries: nq, normalized: true },
      extraFiles: {
        baseWords: ["base-words.txt", baseWords.join("\n") + "\n"],
        queryWords: ["query-words.txt", keptQueryWords.join("\n") + "\n"],
      },
    },
    opts,
  );
}

/** The seeded Gaussian mixture of synthetic.ts (float32, or uint8: SIFT-like non-negative integers). */
export async function writeSynthetic(
  dir: string,
  gen: SyntheticOptions & { metric?: Metric; type?: "float32" | "uint8"; labels?: "zipf" },
  opts: DatasetWriteOptions = {},
): Promise<DatasetWritten> {
  const type = gen.type ?? "float32";
  const make = type === "uint8" ? makeSyntheticUint8 : makeSynthetic;
  const data = make({ ...gen, queries: gen.queries ?? 1000 });
  // Issue 12: multi-label Zipf labels (z1 ≈ 50% of points ... z500 ≈ 0.1%), query filters cycling
  // through z1, z5, z50, z500.
  const nqKept = Math.min(data.nq, opts.queriesLimit ?? data.nq);
  const extraFiles: Record<string, [string, string]> | undefined =
    gen.labels === "zipf"
      ? {
          baseLabels: ["base_labels.txt", zipfLabels(data.n, data.seed).text],
          queryFilters: ["query_filters.txt", zipfQueryFilters(nqKept, ZIPF_TARGET_RANKS)],
        }
      : undefined;
  return writeDatasetDir(
    dir,
    {
      name: "synthetic",
      source: "ringann synthetic generator (Gaussian mixture in a low-dimensional subspace, randomly projected)",
      metric: gen.metric ?? "l2",
      base: { npts: data.n, dim: data.dim, type, data: data.base },
      queries: { npts: data.nq, dim: data.dim, type, data: data.queries },
      params: {
        n: data.n,
        dim: data.dim,
        clusters: data.clusters,
        seed: data.seed,
        queries: data.nq,
        intrinsicDim: data.intrinsicDim,
        noise: gen.noise ?? 0.05,
        type,
        ...(gen.labels ? { labels: gen.labels } : {}),
      },
      extraFiles,
    },
    opts,
  );
}
