// Row-batch distances as the build uses them (one stored row against 64 random stored rows):
// TypeScript loop vs the native AVX2 kernel, float32 128-d and uint8 784-d, over 100K-row bases
// (larger than the caches, like a real build).
//   bun bench/build/distance-batch.bench.ts
import { bench, group, run } from "mitata";
import { createRowDistances } from "../../src/build/row-distances.ts";
import { SeededRandom } from "../../src/build/random.ts";
import { loadNativeKernels } from "../../src/math/native-kernels.ts";

const kernels = await loadNativeKernels();
if (kernels === null) console.warn("native kernels unavailable: run scripts/build-native.sh");
const rng = new SeededRandom(1);
const N = 100_000;
const BATCH = 64;

function setup(type: "float32" | "uint8", dim: number) {
  const data =
    type === "float32"
      ? new Float32Array(N * dim).map(() => rng.nextFloat())
      : new Uint8Array(N * dim).map(() => rng.nextInt(256));
  const ts = createRowDistances(data, dim, type, "l2", BATCH, null);
  const nat = kernels ? createRowDistances(data, dim, type, "l2", BATCH, kernels) : null;
  const batches = Array.from({ length: 256 }, () => Uint32Array.from({ length: BATCH }, () => rng.nextInt(N)));
  return { ts, nat, batches };
}

for (const [type, dim] of [
  ["float32", 128],
  ["uint8", 784],
  ["float32", 100],
] as const) {
  const s = setup(type, dim);
  let b = 0;
  group(`${type} ${dim}-d: 1 row vs ${BATCH} random rows`, () => {
    bench("typescript", () => {
      const batch = s.batches[b++ & 255]!;
      s.ts.ids.set(batch);
      s.ts.rows(batch[0]!, BATCH);
    });
    if (s.nat) {
      const nat = s.nat;
      bench("native avx2", () => {
        const batch = s.batches[b++ & 255]!;
        nat.ids.set(batch);
        nat.rows(batch[0]!, BATCH);
      });
    }
  });
}
await run();
