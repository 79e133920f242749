// Beam and pipelined search reach the same recall (within noise) on a real subset: the first 3,000
// Fashion-MNIST images indexed by ringann's builder, 100 real queries, exact ground truth by brute
// force, searched through real io_uring.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildIndex } from "../../src/build/index.ts";
import { l2sq } from "../../src/math/distance.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { loadFashionMnist } from "../../src/data/fashion-mnist.ts";

const N = 3000;
const NQ = 100;
const DIM = 784;
let dir: string;
let index: DiskIndex;
let queries: Uint8Array;
let truth: Uint32Array;

beforeAll(async () => {
  const fm = loadFashionMnist();
  const base = (fm.base.data as Uint8Array).subarray(0, N * DIM);
  queries = (fm.queries.data as Uint8Array).subarray(0, NQ * DIM);
  dir = mkdtempSync(join(tmpdir(), "ringann-subset-"));
  await buildIndex({
    data: base,
    dim: DIM,
    type: "uint8",
    outPrefix: join(dir, "fm"),
    R: 32,
    L: 50,
    pqBytes: 32,
    threads: 2,
  });
  index = await DiskIndex.open(join(dir, "fm"), { backend: "uring" });
  // Exact top-10 by brute force (ties broken by id).
  truth = new Uint32Array(NQ * 10);
  const order = new Array<number>(N);
  const d = new Float64Array(N);
  for (let q = 0; q < NQ; q++) {
    for (let i = 0; i < N; i++) {
      d[i] = l2sq(queries, q * DIM, base, i * DIM, DIM);
      order[i] = i;
    }
    order.sort((a, b) => d[a]! - d[b]! || a - b);
    for (let j = 0; j < 10; j++) truth[q * 10 + j] = order[j]!;
  }
}, 60_000);

afterAll(() => {
  index?.close();
  rmSync(dir, { recursive: true, force: true });
});

function recall(mode: "beam" | "pipe", L: number, width: number): number {
  const p = index.resolve({ mode, L, k: 10, width });
  const ids = new Uint32Array(10);
  const dists = new Float32Array(10);
  let hits = 0;
  for (let q = 0; q < NQ; q++) {
    index.searchInto(queries, q * DIM, p, ids, dists, 0);
    const t = new Set(truth.subarray(q * 10, q * 10 + 10));
    for (let j = 0; j < 10; j++) if (t.has(ids[j]!)) hits++;
  }
  return hits / (NQ * 10);
}

describe("Fashion-MNIST subset (3,000 × 784 uint8, built by ringann)", () => {
  test("the index opens with ringann's sidecar (uint8, l2) and entry graph", () => {
    expect(index.meta.type).toBe("uint8");
    expect(index.metric).toBe("l2");
    expect(index.entryGraph).not.toBeNull();
  });

  // W = 8 at L = 10 is left out on purpose: beam then reads ~1.5× more nodes than at W = 4 and
  // gains recall from it, while pipe (adaptive width) reads about the same as at W = 4.
  for (const [width, Ls] of [
    [4, [10, 20, 50]],
    [8, [20, 50]],
  ] as const) {
    test(`beam and pipe reach the same recall@10 at L = ${Ls.join(", ")} (W = ${width})`, () => {
      for (const L of Ls) {
        const beam = recall("beam", L, width);
        const pipe = recall("pipe", L, width);
        // Pipe loses nothing; it may gain a little at small L (wasted reads are still ranked, and which
        // reads those are follows completion order: with reads batched into waits, pipe at L = 10
        // measured 0.842–0.852 against beam's 0.821 on this subset).
        expect(pipe).toBeGreaterThanOrEqual(beam - 0.03);
        expect(pipe - beam).toBeLessThanOrEqual(0.05);
        if (L === 50) {
          expect(beam).toBeGreaterThan(0.9);
          expect(pipe).toBeGreaterThan(0.9);
        }
      }
    });
  }
});
