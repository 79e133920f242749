// How the relayout scales, without waiting for a graph build: writes a disk index of N random uint8
// vectors whose neighbour lists are random (R per node; sorted so nearer ranks mean nothing — a
// worst case for the packing's locality, the same work per node), random PQ codes and a placeholder
// pivots file, then runs relayoutIndex in this process and prints its time and peak RSS. Use
// `ringann relayout` on a real index for overlap figures; this measures cost only.
// Run: node_modules/.bin/bun bench/relayout-scale.ts --n 1000000 --dim 128 --R 64 --dir $SCRATCH
import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { peakRssMb } from "../src/build/memory-budget.ts";
import { relayoutIndex } from "../src/build/relayout.ts";
import { AtomicFileWriter } from "../src/format/atomic-file.ts";
import { diskLayoutFor, encodeDiskIndexHeader, encodeNodeFromBytes } from "../src/format/disk-index.ts";
import { encodePqCompressedHeader } from "../src/format/pq-files.ts";
import { SECTOR_BYTES } from "../src/format/sector.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "1000000" },
    dim: { type: "string", default: "128" },
    R: { type: "string", default: "64" },
    M: { type: "string", default: "32" },
    dir: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
if (!values.dir) {
  console.error("usage: bun bench/relayout-scale.ts --dir SCRATCH [--n 1000000 --dim 128 --R 64]");
  process.exit(2);
}
const n = Number(values.n);
const dim = Number(values.dim);
const R = Number(values.R);
const M = Number(values.M);
const prefix = join(values.dir, `random${n}`);
let seed = 12345;
const rand = (): number => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed;
};

const t0 = performance.now();
const layout = diskLayoutFor({ npts: n, dim, type: "uint8", R });
const disk = new AtomicFileWriter(`${prefix}_disk.index`);
disk.append(encodeDiskIndexHeader({ npts: n, dim, type: "uint8", R, medoid: 0 }));
const C = layout.nodesPerSector;
const sectorsPerBuffer = 256;
const buffer = new Uint8Array(sectorsPerBuffer * SECTOR_BYTES);
const vec = new Uint8Array(dim);
const nbrs = new Uint32Array(R);
for (let first = 0; first < layout.nodeSectors; first += sectorsPerBuffer) {
  const count = Math.min(sectorsPerBuffer, layout.nodeSectors - first);
  buffer.fill(0);
  for (let id = first * C; id < Math.min(n, (first + count) * C); id++) {
    for (let j = 0; j < dim; j++) vec[j] = rand() & 0xff;
    for (let k = 0; k < R; k++) nbrs[k] = rand() % n;
    const sector = buffer.subarray((Math.floor(id / C) - first) * SECTOR_BYTES);
    encodeNodeFromBytes(layout, sector, id, vec, 0, nbrs, 0, R);
  }
  disk.append(buffer.subarray(0, count * SECTOR_BYTES));
}
disk.commit();
const codes = new AtomicFileWriter(`${prefix}_pq_compressed.bin`);
codes.append(encodePqCompressedHeader(n, M));
const row = new Uint8Array(1 << 20);
for (let done = 0; done < n * M; done += row.length) {
  for (let i = 0; i < row.length; i++) row[i] = rand() & 0xff;
  codes.append(row.subarray(0, Math.min(row.length, n * M - done)));
}
codes.commit();
const pivots = new AtomicFileWriter(`${prefix}_pq_pivots.bin`);
pivots.append(new Uint8Array(8)); // copied byte for byte by the relayout, never parsed
pivots.commit();
const rssBefore = peakRssMb();
console.log(
  `wrote ${prefix}: ${n} × ${dim} uint8, R ${R}, ${C} per sector, ${((performance.now() - t0) / 1000).toFixed(1)} s (peak RSS so far ${rssBefore.toFixed(0)} MB)`,
);

const r = relayoutIndex({ src: prefix, out: `${prefix}-page`, type: "uint8" });
console.log(
  `relayout: ${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMb.toFixed(0)} MB (process peak; the writer above peaked at ` +
    `${rssBefore.toFixed(0)} MB), overlap out-neighbours ${(100 * r.overlap.outNeighbours).toFixed(2)}%, sector mates ${(100 * r.overlap.sectorMates).toFixed(1)}%`,
);
if (!values.keep) {
  for (const p of [prefix, `${prefix}-page`]) {
    for (const s of ["_disk.index", "_pq_compressed.bin", "_pq_pivots.bin", "_disk.index.tags", "_page.json"])
      rmSync(p + s, { force: true });
  }
}
