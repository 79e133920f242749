// PQ training and encoding: DiskANN's chunk split, codes are truly the nearest centres, and Lloyd
// iterations lower the quantisation error below what seeding alone gives.
import { expect, test } from "bun:test";
import { nearestCentreFn, rowsL2Fn } from "../../src/build/nearest-centre.ts";
import { chunkOffsetsFor, encodePq, trainPq, type PqModel } from "../../src/build/pq.ts";
import { makeSynthetic } from "../../src/data/synthetic.ts";
import { loadNativeKernels } from "../../src/math/native-kernels.ts";

test("chunk split: floor/ceil widths, the wider chunks first", () => {
  expect(Array.from(chunkOffsetsFor(10, 4))).toEqual([0, 3, 6, 8, 10]);
  expect(Array.from(chunkOffsetsFor(128, 32))).toEqual(Array.from({ length: 33 }, (_, m) => 4 * m));
  expect(() => chunkOffsetsFor(8, 9)).toThrow(RangeError);
});

const dim = 24;
const n = 4000;
const { base } = makeSynthetic({ n, dim, seed: 9 });

function quantisationError(model: PqModel, codes: Uint8Array): number {
  let err = 0;
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < model.M; m++) {
      const c = codes[i * model.M + m]!;
      for (let j = model.chunkOffsets[m]!; j < model.chunkOffsets[m + 1]!; j++) {
        const d = base[i * dim + j]! - model.centroid[j]! - model.pivots[c * dim + j]!;
        err += d * d;
      }
    }
  }
  return err / n;
}

for (const kernel of ["native", "ts"] as const) {
  test(`codes are the nearest centres and Lloyd beats seeding (${kernel} kernel)`, async () => {
    const kernels = kernel === "native" ? await loadNativeKernels() : null;
    if (kernel === "native" && kernels === null)
      throw new Error("native kernels unavailable: run scripts/build-native.sh");
    const nearest = nearestCentreFn(kernels);
    const rowsL2 = rowsL2Fn(kernels);
    const model = trainPq(base, n, dim, { M: 6, metric: "l2", seed: 1, nearest, rowsL2 });
    const codes = encodePq(model, base, n, nearest);
    expect(codes.length).toBe(n * 6);
    for (let i = 0; i < n; i += 97) {
      for (let m = 0; m < 6; m++) {
        let best = 0;
        let bestD = Infinity;
        for (let c = 0; c < 256; c++) {
          let s = 0;
          for (let j = m * 4; j < m * 4 + 4; j++) {
            const d = base[i * dim + j]! - model.centroid[j]! - model.pivots[c * dim + j]!;
            s += d * d;
          }
          if (s < bestD) {
            bestD = s;
            best = c;
          }
        }
        const got = codes[i * 6 + m]!;
        if (got !== best) {
          // Only an exact (float32-rounded) tie may pick another centre.
          let s = 0;
          for (let j = m * 4; j < m * 4 + 4; j++) {
            const d = base[i * dim + j]! - model.centroid[j]! - model.pivots[got * dim + j]!;
            s += d * d;
          }
          expect(Math.abs(s - bestD)).toBeLessThan(1e-4 * (1 + bestD));
        }
      }
    }
    const seeded = trainPq(base, n, dim, { M: 6, metric: "l2", seed: 1, nearest, rowsL2, iterations: 0 });
    const errTrained = quantisationError(model, codes);
    const errSeeded = quantisationError(seeded, encodePq(seeded, base, n, nearest));
    expect(errTrained).toBeLessThan(errSeeded);
    // Centroid = mean for L2, zero for inner product.
    let mean0 = 0;
    for (let i = 0; i < n; i++) mean0 += base[i * dim]!;
    expect(model.centroid[0]).toBeCloseTo(mean0 / n, 4);
    const ip = trainPq(base, n, dim, { M: 6, metric: "ip", seed: 1, nearest, rowsL2, iterations: 1 });
    expect(ip.centroid.every((v) => v === 0)).toBe(true);
  }, 30_000);
}
