// The built graph on real data (a Fashion-MNIST subset): structural invariants read back through
// the format parser, and exact-distance greedy search over it finds the true neighbours.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { buildIndex } from "../../src/build/build-index.ts";
import { graphRecall, loadDiskGraph, type LoadedDiskGraph } from "../../src/build/graph-recall.ts";
import { computeGroundTruth, memoryRows } from "../../src/data/ground-truth.ts";
import { loadFashionMnist } from "../../src/data/fashion-mnist.ts";
import { loadNativeKernels } from "../../src/math/native-kernels.ts";
import { makeTempDir } from "../format/tmp.ts";

const N = 5000;
const NQ = 100;
const R = 32;
const tmp = makeTempDir("build-graph");
afterAll(() => tmp.cleanup());

const fm = loadFashionMnist();
const base = fm.base.data.subarray(0, N * 784) as Uint8Array;
const queries = fm.queries.data.subarray(0, NQ * 784) as Uint8Array;
let loaded: LoadedDiskGraph;

beforeAll(async () => {
  await buildIndex({
    data: base,
    dim: 784,
    outPrefix: tmp.path("fm"),
    R,
    L: 75,
    alpha: 1.2,
    pqBytes: 16,
    threads: 2,
    seed: 3,
  });
  loaded = loadDiskGraph(tmp.path("fm"), "uint8");
});

describe("graph built from 5,000 Fashion-MNIST images (R 32, L 75, 2 threads)", () => {
  test("degree ≤ R, no self-loops, no duplicate or out-of-range ids, coords stored as given", () => {
    const { graph, meta, vectors } = loaded;
    expect(meta.R).toBe(R);
    expect(meta.nodesPerSector).toBe(Math.floor(4096 / (784 + 4 * (R + 1))));
    let edges = 0;
    for (let id = 0; id < N; id++) {
      const deg = graph.degree[id]!;
      expect(deg).toBeGreaterThan(0);
      expect(deg).toBeLessThanOrEqual(R);
      const list = Array.from(graph.nbrs.subarray(id * R, id * R + deg));
      expect(list.includes(id)).toBe(false);
      expect(new Set(list).size).toBe(deg);
      for (const n of list) expect(n).toBeLessThan(N);
      edges += deg;
    }
    expect(edges / N).toBeGreaterThan(8);
    expect(Buffer.from(vectors.buffer).equals(Buffer.from(base.buffer, base.byteOffset, base.byteLength))).toBe(true);
  });

  test("every node is reachable from the medoid", () => {
    const { graph, meta } = loaded;
    const seen = new Uint8Array(N);
    const queue = [meta.medoid];
    seen[meta.medoid] = 1;
    for (let h = 0; h < queue.length; h++) {
      const id = queue[h]!;
      for (let e = 0; e < graph.degree[id]!; e++) {
        const n = graph.nbrs[id * R + e]!;
        if (!seen[n]) {
          seen[n] = 1;
          queue.push(n);
        }
      }
    }
    expect(queue.length).toBe(N);
  });

  test("exact greedy search reaches recall@10 ≥ 0.99 at L = 100", async () => {
    const truth = await computeGroundTruth(
      memoryRows({ npts: N, dim: 784, type: "uint8", data: base }),
      { npts: NQ, dim: 784, type: "uint8", data: queries },
      { k: 10, metric: "l2", threads: 2 },
    );
    const results = graphRecall({
      loaded,
      queries,
      nq: NQ,
      truthIds: truth.ids,
      truthK: 10,
      k: 10,
      Ls: [10, 100],
      metric: "l2",
      kernels: await loadNativeKernels(),
    });
    expect(results[1]!.recall).toBeGreaterThanOrEqual(0.99);
    expect(results[0]!.recall).toBeLessThanOrEqual(results[1]!.recall);
  });
});

test("native and TypeScript distance kernels build the same graph on integer data", async () => {
  const kernels = await loadNativeKernels();
  // The native library is part of the product (setup builds it): its absence fails, never skips.
  if (kernels === null) throw new Error("native kernels unavailable: run scripts/build-native.sh");
  const small = base.subarray(0, 800 * 784);
  // Integer distances are exact in both kernels, so the graphs must match byte for byte.
  await buildIndex({
    data: small,
    dim: 784,
    outPrefix: tmp.path("nat"),
    R: 16,
    L: 32,
    pqBytes: 8,
    threads: 1,
    entryGraph: false,
  });
  await buildIndex({
    data: small,
    dim: 784,
    outPrefix: tmp.path("ts"),
    R: 16,
    L: 32,
    pqBytes: 8,
    threads: 1,
    entryGraph: false,
    native: false,
  });
  const a = readFileSync(tmp.path("nat_disk.index"));
  const b = readFileSync(tmp.path("ts_disk.index"));
  expect(a.equals(b)).toBe(true);
}, 60_000);
