// The native query-vs-rows kernels (c/kernels.c rk_*_query, rk_*_query1) against the TypeScript
// distances for every metric × type, odd dims included; and the entry-graph search through them
// returns the same seeds as the TypeScript path on the PipeANN fixture (float32) and on the
// Fashion-MNIST index built in the suite (uint8).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { openVectorFile } from "../../src/format/vector-file.ts";
import type { VectorType, Vectors } from "../../src/format/vector-type.ts";
import { SimReader } from "../../src/io/sim-reader.ts";
import { pinnedFloat32, pinnedUint32 } from "../../src/math/pinned.ts";
import { l2sq, negDot } from "../../src/math/distance.ts";
import { loadNativeKernels, type NativeKernels } from "../../src/math/native-kernels.ts";
import { nativeQueryRows } from "../../src/math/query-distance.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { rng } from "./tiny-index.ts";
import { PIPEANN, smallFmnistIndex } from "../fixtures.ts";

let kernels: NativeKernels;
beforeAll(async () => {
  const k = await loadNativeKernels();
  if (k === null) throw new Error("native kernels unavailable: run scripts/build-native.sh");
  kernels = k;
});

function rows(type: VectorType, n: number, r: () => number): Vectors {
  if (type === "float32") return new Float32Array(n).map(() => r() * 2 - 1);
  if (type === "uint8") return new Uint8Array(n).map(() => Math.floor(r() * 256));
  return new Int8Array(n).map(() => Math.floor(r() * 256) - 128);
}

describe("native query-vs-rows kernels", () => {
  for (const type of ["float32", "uint8", "int8"] as const) {
    for (const metric of ["l2", "ip"] as const) {
      for (const dim of [1, 7, 13, 16, 100, 784]) {
        test(`${metric} ${type} dim ${dim}`, () => {
          const r = rng(dim * 7 + (metric === "ip" ? 1 : 0) + type.length);
          const npts = 50;
          const base = rows(type, npts * dim, r);
          const ts = metric === "ip" ? negDot : l2sq;
          const fn = nativeQueryRows(kernels, metric, type)!;
          const one = {
            float32: metric === "ip" ? kernels.rk_negdot_f32_query1 : kernels.rk_l2_f32_query1,
            uint8: metric === "ip" ? kernels.rk_negdot_u8_query1 : kernels.rk_l2_u8_query1,
            int8: metric === "ip" ? kernels.rk_negdot_i8_query1 : kernels.rk_l2_i8_query1,
          }[type];
          const ids = pinnedUint32(npts);
          for (let i = 0; i < npts; i++) ids[i] = (i * 17 + 3) % npts; // scattered order
          const out = pinnedFloat32(npts);
          // Integer-valued queries (what uint8/int8 query files give) and fractional ones.
          for (const integral of type === "float32" ? [false] : [true, false]) {
            const query = new Float32Array(dim);
            const src = rows(type, dim, r);
            for (let j = 0; j < dim; j++) query[j] = src[j]! + (integral ? 0 : r() - 0.5);
            fn(query, base, dim, ids, npts, out);
            for (let i = 0; i < npts; i++) {
              const want = ts(query, 0, base, ids[i]! * dim, dim);
              const single = one(query, base.subarray(ids[i]! * dim), dim);
              if (integral) {
                expect(out[i]).toBe(Math.fround(want));
              } else {
                const tol = 1e-5 * Math.max(1, Math.abs(want)) * Math.sqrt(dim);
                expect(Math.abs(out[i]! - want)).toBeLessThanOrEqual(tol);
              }
              expect(single).toBe(out[i]!);
            }
          }
          // n = 0 writes nothing.
          out[0] = 123;
          fn(query0(dim), base, dim, ids, 0, out);
          expect(out[0]).toBe(123);
        });
      }
    }
  }
});

function query0(dim: number): Float32Array {
  return new Float32Array(dim);
}

const cases = [
  {
    name: "PipeANN fixture (float32)",
    files: async () => ({ prefix: PIPEANN.prefix, queries: PIPEANN.queries }),
    exact: false,
  },
  { name: "Fashion-MNIST 2,000 rows built in the suite (uint8)", files: smallFmnistIndex, exact: true },
];

for (const c of cases) {
  describe(`entry-graph search, native vs TypeScript: ${c.name}`, () => {
    let native: DiskIndex;
    let ts: DiskIndex;
    let queriesFile = "";
    beforeAll(async () => {
      const f = await c.files();
      queriesFile = f.queries;
      // A deterministic in-memory reader, so whole searches depend only on the distances.
      const disk = new Uint8Array(readFileSync(`${f.prefix}_disk.index`));
      const openReader = (file: string, g: { slotBytes: number; slotCount: number }) =>
        new SimReader(disk, { ...g, file, minDelayTicks: 1, maxDelayTicks: 1, shuffle: false });
      native = await DiskIndex.open(f.prefix, { exactKernel: "native", openReader });
      ts = await DiskIndex.open(f.prefix, { exactKernel: "ts", openReader });
    }, 300_000);
    afterAll(() => {
      native?.close();
      ts?.close();
    });

    test("same seeds and distances", () => {
      const gn = native.entryGraph!;
      const gt = ts.entryGraph!;
      expect(gn.kernel).toBe("native");
      expect(gt.kernel).toBe("ts");
      const qf = openVectorFile(queriesFile);
      const nq = Math.min(200, qf.npts);
      const queries = qf.readRows(0, nq) as Vectors;
      qf.close();
      const dim = native.dim;
      const q = new Float32Array(dim);
      for (const L of [10, 32]) {
        const sn = gn.newScratch(L);
        const st = gt.newScratch(L);
        const idsN = new Uint32Array(L),
          idsT = new Uint32Array(L);
        const dN = new Float32Array(L),
          dT = new Float32Array(L);
        let idMismatch = 0;
        for (let i = 0; i < nq; i++) {
          for (let j = 0; j < dim; j++) q[j] = queries[i * dim + j]!;
          const n = gn.search(q, L, sn, idsN, dN);
          expect(gt.search(q, L, st, idsT, dT)).toBe(n);
          for (let k = 0; k < n; k++) {
            if (idsN[k] !== idsT[k]) idMismatch++;
            if (c.exact) expect(dN[k]).toBe(dT[k]!);
            else expect(Math.abs(dN[k]! - dT[k]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(dT[k]!)));
          }
        }
        // Float32 rounding may swap exact ties on float data; uint8 queries give identical results.
        if (c.exact) expect(idMismatch).toBe(0);
        else expect(idMismatch).toBeLessThanOrEqual(2);
      }
    }, 120_000);

    test("whole pipe searches agree", () => {
      const qf = openVectorFile(queriesFile);
      const queries = qf.readRows(0, Math.min(50, qf.npts)) as Vectors;
      qf.close();
      for (let i = 0; i < 50; i++) {
        const a = native.search(queries, { mode: "pipe", L: 20, k: 10 }, i * native.dim);
        const b = ts.search(queries, { mode: "pipe", L: 20, k: 10 }, i * ts.dim);
        expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
      }
    }, 120_000);
  });
}
