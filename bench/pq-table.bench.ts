// The PQ query table (M × 256 floats, built once per query): the TypeScript builder vs the native
// one (c/kernels.c rk_pq_table, AVX2+FMA when the CPU has it), l2 and ip, for 100-, 128- and 784-d
// with M = 32 (uneven chunks at 100-d) and a rearrangement. "native, prep in TS" fills the adjusted
// query (q[perm j] − centroid[perm j]) in TypeScript and calls rk_pq_table_adjusted: the split that
// was measured against doing it in C (PqTable does the latter).
//   bun bench/pq-table.bench.ts
import { bench, group, run } from "mitata";
import { SeededRandom } from "../src/build/random.ts";
import type { PqPivots } from "../src/format/pq-files.ts";
import { pinnedFloat32, pinnedUint32 } from "../src/math/pinned.ts";
import { kernelName, loadNativeKernels } from "../src/math/native-kernels.ts";
import { PqTable } from "../src/math/pq-table.ts";

const kernels = await loadNativeKernels();
if (kernels === null) throw new Error("native kernels unavailable: run scripts/build-native.sh");
console.log(`native kernel: ${kernelName()}`);
const rng = new SeededRandom(1);
const M = 32;

function pivotsOf(dim: number): PqPivots {
  const perm = Uint32Array.from({ length: dim }, (_, j) => j);
  for (let j = dim - 1; j > 0; j--) {
    const k = rng.nextInt(j + 1);
    [perm[j], perm[k]] = [perm[k]!, perm[j]!];
  }
  const chunkOffsets = Uint32Array.from({ length: M + 1 }, (_, m) => Math.floor((m * dim) / M));
  return {
    dim,
    M,
    perm,
    chunkOffsets,
    offsetCount: 5,
    pivots: Float32Array.from({ length: 256 * dim }, () => rng.nextFloat() * 2 - 1),
    centroid: Float32Array.from({ length: dim }, () => rng.nextFloat()),
  };
}

for (const dim of [100, 128, 784]) {
  const p = pivotsOf(dim);
  const queries = Array.from({ length: 64 }, () => pinnedFloat32(dim).map(() => rng.nextFloat()));
  const out = pinnedFloat32(M * 256);
  for (const metric of ["l2", "ip"] as const) {
    const ts = new PqTable(p, metric, null);
    const nat = new PqTable(p, metric, kernels);
    // The split variant: same kernel, the adjusted query written by TypeScript.
    const blocked = pinnedFloat32(256 * dim);
    const offsets = pinnedUint32(M + 1);
    offsets.set(p.chunkOffsets);
    kernels.rk_pq_table_layout(p.pivots, dim, offsets, M, blocked);
    const adjusted = pinnedFloat32(dim);
    const centroidAt = Float32Array.from({ length: dim }, (_, j) => (metric === "ip" ? 0 : p.centroid[p.perm![j]!]!));
    const ip = metric === "ip" ? 1 : 0;
    let i = 0;
    group(`${dim}-d, M ${M}, ${metric}`, () => {
      bench("typescript", () => ts.populate(queries[i++ & 63]!, 0, out));
      bench("native (PqTable: prep in C)", () => nat.populate(queries[i++ & 63]!, 0, out));
      bench("native, prep in TS", () => {
        const q = queries[i++ & 63]!;
        const perm = p.perm!;
        for (let j = 0; j < dim; j++) adjusted[j] = q[perm[j]!]! - centroidAt[j]!;
        kernels.rk_pq_table_adjusted(blocked, offsets, M, adjusted, ip, out);
      });
    });
  }
}

await run();
