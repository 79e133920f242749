// Ground-truth throughput: the single-thread scan kernels, then the whole Worker pipeline.
//   bun bench/gt.bench.ts            kernels + pipeline on 2,000 Fashion-MNIST queries (~1 min on 2 cores)
//   bun bench/gt.bench.ts --full     also the full Fashion-MNIST 60K × 10K run
// Prints distance computations per second. Run before and after touching src/data/gt-kernels.ts.
import { computeGroundTruth, memoryRows } from "../src/data/ground-truth.ts";
import { newTopK, scanFor } from "../src/data/gt-kernels.ts";
import { makeSynthetic } from "../src/data/synthetic.ts";
import { loadFashionMnist } from "../src/data/fashion-mnist.ts";

const full = process.argv.includes("--full");
const { base, queries } = loadFashionMnist();
const u8Base = base.data as Uint8Array;
const u8Queries = queries.data as Uint8Array;
const dim = base.dim;

function kernelFigure(label: string, run: () => number): void {
  run(); // warm up the JIT
  const t0 = performance.now();
  const distances = run();
  const s = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(44)} ${(distances / s / 1e6).toFixed(2).padStart(7)} M distances/s (1 thread)`);
}

const nq = 50,
  k = 100;
kernelFigure("l2-int    Fashion-MNIST 784-d uint8", () =>
  scanFor("l2-int")(u8Queries, 0, nq, u8Base, 60000, 0, dim, newTopK(nq, k), 320),
);
const fBase = Float32Array.from(u8Base),
  fQueries = Float32Array.from(u8Queries.subarray(0, nq * dim));
kernelFigure("l2-float  Fashion-MNIST as float32", () =>
  scanFor("l2-float")(fQueries, 0, nq, fBase, 60000, 0, dim, newTopK(nq, k), 80),
);
kernelFigure("ip-float  Fashion-MNIST as float32", () =>
  scanFor("ip-float")(fQueries, 0, nq, fBase, 60000, 0, dim, newTopK(nq, k), 80),
);
const syn = makeSynthetic({ n: 100_000, dim: 100, clusters: 32, seed: 1, queries: nq });
kernelFigure("l2-float  synthetic 100-d (GloVe-sized rows)", () =>
  scanFor("l2-float")(syn.queries, 0, nq, syn.base, syn.n, 0, 100, newTopK(nq, k), 640),
);

async function pipeline(label: string, nqUsed: number): Promise<void> {
  const q = { ...queries, npts: nqUsed, data: queries.data.subarray(0, nqUsed * dim) };
  const t0 = performance.now();
  await computeGroundTruth(memoryRows(base), q, { k: 100, metric: "l2" });
  const s = (performance.now() - t0) / 1000;
  console.log(
    `${label.padEnd(44)} ${((base.npts * nqUsed) / s / 1e6).toFixed(2).padStart(7)} M distances/s, ${s.toFixed(1)} s wall ` +
      `(${navigator.hardwareConcurrency} workers)`,
  );
}
await pipeline("pipeline  Fashion-MNIST 60K × 2K queries", 2000);
if (full) await pipeline("pipeline  Fashion-MNIST 60K × 10K queries", 10000);
