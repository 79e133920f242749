// Inner product, cosine and int8 builds: the graph finds the true neighbours under each metric
// (ground truth by brute force with the data module's exact kernels).
import { afterAll, expect, test } from "bun:test";
import { buildIndex } from "../../src/build/build-index.ts";
import { graphRecall, loadDiskGraph } from "../../src/build/graph-recall.ts";
import { computeGroundTruth, memoryRows } from "../../src/data/ground-truth.ts";
import { makeSynthetic } from "../../src/data/synthetic.ts";
import type { Metric, VectorType, Vectors } from "../../src/format/vector-type.ts";
import { loadNativeKernels } from "../../src/math/native-kernels.ts";
import { makeTempDir } from "../format/tmp.ts";

const tmp = makeTempDir("build-metrics");
afterAll(() => tmp.cleanup());
const N = 4000;
const NQ = 100;
const DIM = 32;
const syn = makeSynthetic({ n: N, dim: DIM, seed: 21, queries: NQ });

async function recallAt100(
  name: string,
  metric: Metric,
  type: VectorType,
  base: Vectors,
  queries: Vectors,
): Promise<number> {
  const prefix = tmp.path(name);
  await buildIndex({
    data: base,
    dim: DIM,
    outPrefix: prefix,
    metric,
    R: 32,
    L: 64,
    pqBytes: 8,
    threads: 2,
    entryGraph: false,
  });
  const truth = await computeGroundTruth(
    memoryRows({ npts: N, dim: DIM, type, data: base }),
    { npts: NQ, dim: DIM, type, data: queries },
    { k: 10, metric, threads: 2 },
  );
  const [r] = graphRecall({
    loaded: loadDiskGraph(prefix, type),
    queries,
    nq: NQ,
    truthIds: truth.ids,
    truthK: 10,
    k: 10,
    Ls: [100],
    metric,
    kernels: await loadNativeKernels(),
  });
  return r!.recall;
}

test("inner product", async () => {
  expect(await recallAt100("ip", "ip", "float32", syn.base, syn.queries)).toBeGreaterThanOrEqual(0.95);
}, 30_000);

test("cosine (vectors stored unit-normalised)", async () => {
  const prefix = tmp.path("cos");
  expect(await recallAt100("cos", "cosine", "float32", syn.base, syn.queries)).toBeGreaterThanOrEqual(0.98);
  const stored = loadDiskGraph(prefix, "float32").vectors;
  let norm = 0;
  for (let j = 0; j < DIM; j++) norm += stored[j]! * stored[j]!;
  expect(norm).toBeCloseTo(1, 5);
  expect(syn.base[0]).not.toBe(stored[0]); // the caller's array was not normalised in place
}, 30_000);

test("int8 vectors stored as given", async () => {
  let max = 0;
  for (const v of syn.base) max = Math.max(max, Math.abs(v));
  const toI8 = (src: Float32Array) => Int8Array.from(src, (v) => Math.round((v / max) * 127));
  const base = toI8(syn.base);
  expect(await recallAt100("i8", "l2", "int8", base, toI8(syn.queries))).toBeGreaterThanOrEqual(0.98);
  expect(Array.from(loadDiskGraph(tmp.path("i8"), "int8").vectors.subarray(0, 64))).toEqual(
    Array.from(base.subarray(0, 64)),
  );
}, 30_000);
