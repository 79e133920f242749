// A served setup for tests: a tiny exact index (test/search/tiny-index.ts) plus a dataset folder with
// manifest.json, base and query files (and word lists when asked), and the serve config for it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeManifest } from "../../src/data/manifest.ts";
import { writeBin } from "../../src/format/bin.ts";
import { allocVectors, type VectorType } from "../../src/format/vector-type.ts";
import { type IndexServeConfig, indexConfig } from "../../src/serve/serve-config.ts";
import { type TinyIndex, writeTinyIndex } from "../search/tiny-index.ts";

export interface ServedFixture {
  t: TinyIndex;
  datasetDir: string;
  /** nq query rows as float32 (the values in the dataset's query file). */
  queries: Float32Array;
  nq: number;
  words: string[] | null;
  config(name: string, extra?: Record<string, unknown>): IndexServeConfig;
  cleanup(): void;
}

export function servedFixture(opts: {
  n: number;
  dim: number;
  type?: VectorType;
  words?: boolean;
  seed?: number;
  nq?: number;
}): ServedFixture {
  const type = opts.type ?? "float32";
  const t = writeTinyIndex({ n: opts.n, dim: opts.dim, R: 12, M: 4, type, seed: opts.seed ?? 11, entryGraph: true });
  const nq = opts.nq ?? 20;
  const dim = opts.dim;
  const qv = allocVectors(type, nq * dim);
  for (let q = 0; q < nq; q++) {
    const r = t.randomQuery(1000 + q);
    for (let j = 0; j < dim; j++)
      qv[q * dim + j] = type === "float32" ? r[j]! : Math.max(0, Math.min(255, Math.round(r[j]!)));
  }
  const queries = Float32Array.from(qv);
  const datasetDir = join(t.dir, "dataset");
  Bun.spawnSync(["mkdir", "-p", datasetDir]);
  const ext = type === "float32" ? "fbin" : type === "uint8" ? "u8bin" : "i8bin";
  writeBin(join(datasetDir, `base.${ext}`), type, t.vectors, dim);
  writeBin(join(datasetDir, `queries.${ext}`), type, qv, dim);
  let words: string[] | null = null;
  const extra: Record<string, string> = {};
  if (opts.words) {
    words = Array.from({ length: opts.n }, (_, i) => `w${i}x`);
    writeFileSync(join(datasetDir, "base-words.txt"), words.join("\n") + "\n");
    writeFileSync(
      join(datasetDir, "query-words.txt"),
      Array.from({ length: nq }, (_, i) => `q${i}y`).join("\n") + "\n",
    );
    extra.baseWords = "base-words.txt";
    extra.queryWords = "query-words.txt";
  }
  writeManifest(datasetDir, {
    name: opts.words ? "tiny-words" : "tiny",
    source: "test fixture",
    base: `base.${ext}`,
    queries: `queries.${ext}`,
    groundtruth: "gt.bin",
    counts: { base: opts.n, queries: nq },
    dim,
    type,
    metric: "l2",
    k: 10,
    ...(opts.words ? { extra } : {}),
    createdBy: "test",
  });
  return {
    t,
    datasetDir,
    queries,
    nq,
    words,
    config: (name, extra2 = {}) =>
      indexConfig({ name, index: t.prefix, dataset: datasetDir, concurrency: 4, ...extra2 }, t.dir),
    cleanup: () => t.cleanup(),
  };
}
