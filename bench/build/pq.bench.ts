// PQ kernels: nearest of 256 centres for a block of 4096 rows over one chunk (the inner step of
// k-means and encoding), TypeScript vs native; then a whole trainPq + encodePq on synthetic
// 100,000 x 128 (M = 32) with each kernel, timed once.
//   bun bench/build/pq.bench.ts
import { bench, group, run } from "mitata";
import { nearestCentreFn, rowsL2Fn } from "../../src/build/nearest-centre.ts";
import { encodePq, trainPq } from "../../src/build/pq.ts";
import { SeededRandom } from "../../src/build/random.ts";
import { makeSynthetic } from "../../src/data/synthetic.ts";
import { loadNativeKernels } from "../../src/math/native-kernels.ts";

const kernels = await loadNativeKernels();
const rng = new SeededRandom(2);
const ROWS = 4096;
for (const w of [4, 25]) {
  const rows = new Float32Array(ROWS * w).map(() => rng.nextFloat());
  const centresT = new Float32Array(w * 256).map(() => rng.nextFloat());
  const codes = new Uint8Array(ROWS);
  group(`nearest of 256 centres, ${ROWS} rows x ${w} dims`, () => {
    const ts = nearestCentreFn(null);
    bench("typescript", () => ts(rows, ROWS, w, 0, w, centresT, 256, codes, 1, null));
    if (kernels) {
      const nat = nearestCentreFn(kernels);
      bench("native avx2", () => nat(rows, ROWS, w, 0, w, centresT, 256, codes, 1, null));
    }
  });
}
await run();

const { base } = makeSynthetic({ n: 100_000, dim: 128, seed: 1 });
for (const [name, k] of [
  ["native", kernels],
  ["typescript", null],
] as const) {
  if (name === "native" && k === null) continue;
  const nearest = nearestCentreFn(k);
  const rowsL2 = rowsL2Fn(k);
  const t0 = performance.now();
  const model = trainPq(base, 100_000, 128, { M: 32, metric: "l2", seed: 1, nearest, rowsL2 });
  const t1 = performance.now();
  encodePq(model, base, 100_000, nearest);
  const t2 = performance.now();
  console.log(
    `synthetic 100,000 x 128, M 32, ${name}: train ${((t1 - t0) / 1000).toFixed(2)} s (65,536-point sample, 12 Lloyd iterations), encode ${((t2 - t1) / 1000).toFixed(2)} s`,
  );
}
