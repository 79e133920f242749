// The one-call-per-sector kernels page search scores a fetched sector with (c/kernels.c rk_*_strided,
// src/math/query-distance.ts nativeStridedRows): every metric × type, records at any byte stride and
// offset (uint8 records that are not 4-byte aligned included) give exactly the one-record kernel's
// values; a call that would overrun its buffer is refused. And page search through them answers
// exactly as page search scoring record by record in TypeScript (uint8 with integer-valued queries,
// where both give the same distances), query by query, with the same statistics — beam and pipe,
// every expansion policy, a frozen point — over a deterministic in-memory reader. Page search on real
// io_uring allocates no object per query (heap cells counted over 20 and over 200 queries).
import { beforeAll, describe, expect, test } from "bun:test";
import { heapStats } from "bun:jsc";
import { readFileSync } from "node:fs";
import { relayoutIndex } from "../../src/build/relayout.ts";
import type { VectorType } from "../../src/format/vector-type.ts";
import { SimReader } from "../../src/io/sim-reader.ts";
import { pinnedFloat32 } from "../../src/math/pinned.ts";
import { loadNativeKernels, type NativeKernels } from "../../src/math/native-kernels.ts";
import { nativeStridedRows } from "../../src/math/query-distance.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { Done, Ready } from "../../src/search/machine.ts";
import { PAGE_EXPAND_POLICIES } from "../../src/search/page-machine.ts";
import type { PagePipeSearch } from "../../src/search/page-pipe.ts";
import { rng, writeTinyIndex } from "./tiny-index.ts";

let kernels: NativeKernels;
beforeAll(async () => {
  const k = await loadNativeKernels();
  if (k === null) throw new Error("native kernels unavailable: run scripts/build-native.sh");
  kernels = k;
});

const ELEM = { float32: 4, uint8: 1, int8: 1 } as const;

describe("native sector kernels (rk_*_strided)", () => {
  for (const type of ["float32", "uint8", "int8"] as const) {
    for (const metric of ["l2", "ip"] as const) {
      for (const dim of [7, 30, 100, 128]) {
        test(`${metric} ${type} dim ${dim}: each record as the one-record kernel scores it`, () => {
          const r = rng(dim * 31 + type.length + (metric === "ip" ? 5 : 0));
          const fn = nativeStridedRows(kernels, metric, type)!;
          const one = oneRecord(kernels, metric, type);
          const n = 9;
          // A record: coordinates, then a degree and neighbours (here noise); 1-byte types get odd strides.
          const stride = dim * ELEM[type] + (type === "float32" ? 4 + 4 * 5 : 4 + 4 * 5 + 3);
          const lead = type === "float32" ? 8 : 5; // the sector starts inside a larger buffer
          const buffer = new Uint8Array(lead + n * stride + 64);
          for (let i = 0; i < buffer.length; i++) buffer[i] = Math.floor(r() * 256);
          if (type === "float32") {
            // Finite coordinates (random bytes could be NaN or huge).
            const view = new DataView(buffer.buffer);
            for (let i = 0; i < n; i++)
              for (let j = 0; j < dim; j++) view.setFloat32(lead + i * stride + 4 * j, r() * 2 - 1, true);
          }
          const sector = buffer.subarray(lead);
          const query = new Float32Array(dim);
          for (let j = 0; j < dim; j++) query[j] = type === "float32" ? r() * 2 - 1 : Math.floor(r() * 200) - 60;
          const out = pinnedFloat32(n + 1);
          out[n] = 42;
          for (const offset of [0, stride]) {
            const count = offset === 0 ? n : n - 1;
            fn(query, sector, offset, dim, stride, count, out);
            for (let i = 0; i < count; i++) {
              const record = sector.slice(offset + i * stride, offset + i * stride + dim * ELEM[type]);
              const typed =
                type === "float32"
                  ? new Float32Array(record.buffer)
                  : type === "uint8"
                    ? record
                    : new Int8Array(record.buffer);
              expect(out[i]).toBe(one(query, typed, dim));
            }
            expect(out[n]).toBe(42); // nothing written past n
          }
          expect(() => fn(query, sector, 0, dim, stride, n + 2, out)).toThrow(RangeError); // past `out`
          const short = sector.subarray(0, (n - 1) * stride + dim * ELEM[type] - 1); // last record cut by a byte
          expect(() => fn(query, short, 0, dim, stride, n, out)).toThrow(RangeError);
          fn(query, sector.subarray(0, (n - 1) * stride + dim * ELEM[type]), 0, dim, stride, n, out); // exactly fits
        });
      }
    }
  }
});

function oneRecord(
  k: NativeKernels,
  metric: "l2" | "ip",
  type: VectorType,
): (q: Float32Array, row: Float32Array | Uint8Array | Int8Array, dim: number) => number {
  const ip = metric === "ip";
  if (type === "float32") return ip ? k.rk_negdot_f32_query1 : k.rk_l2_f32_query1;
  if (type === "uint8") return ip ? k.rk_negdot_u8_query1 : k.rk_l2_u8_query1;
  return ip ? k.rk_negdot_i8_query1 : k.rk_l2_i8_query1;
}

describe("page search scores a sector in one native call", () => {
  test("same answers, distances and statistics as scoring record by record (uint8, unaligned, frozen point)", async () => {
    const t = writeTinyIndex({
      n: 1500,
      dim: 30,
      R: 12,
      M: 10,
      type: "uint8",
      frozen: true,
      entryGraph: true,
      seed: 9,
    });
    try {
      const out = `${t.prefix}-page`;
      relayoutIndex({ src: t.prefix, out });
      const disk = new Uint8Array(readFileSync(`${out}_disk.index`));
      const open = (exactKernel: "native" | "ts") =>
        DiskIndex.open(out, {
          exactKernel,
          maxL: 64,
          maxWidth: 8,
          openReader: (file, g) => new SimReader(disk, { ...g, file, minDelayTicks: 1, maxDelayTicks: 6, seed: 3 }),
        });
      const native = await open("native");
      const ts = await open("ts");
      expect(native.context.sectorRows).toBeFunction();
      expect(ts.context.sectorRows).toBeNull();
      try {
        let scored = 0;
        for (const mode of ["beam", "pipe"] as const) {
          for (const pageExpand of PAGE_EXPAND_POLICIES) {
            for (let s = 0; s < 25; s++) {
              // Integer-valued queries: the TypeScript and native distances agree exactly on uint8 rows.
              const query = t.randomQuery(500 + s).map(Math.round);
              const opts = { mode, L: 40, k: 10, width: 4, pageExpand } as const;
              const a = native.search(query, opts);
              const b = ts.search(query, opts);
              expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
              expect(Array.from(a.distances)).toEqual(Array.from(b.distances));
              for (const f of ["reads", "hops", "pageHops", "pageNodes", "pqDistances", "wastedReads"] as const)
                expect(a.stats[f]).toBe(b.stats[f]);
              scored += a.stats.pageNodes;
            }
          }
        }
        expect(scored).toBeGreaterThan(1000);
      } finally {
        native.close();
        ts.close();
      }
    } finally {
      t.cleanup();
    }
  });
});

describe("page pipe waits for two completions while all its reads are in flight", () => {
  test("waitingFor() is 2 exactly when all W reads are in flight; answers as good as waking for each (real io_uring)", async () => {
    const t = writeTinyIndex({ n: 2000, dim: 16, R: 16, M: 8, type: "float32", entryGraph: true, seed: 12 });
    try {
      const out = `${t.prefix}-page`;
      relayoutIndex({ src: t.prefix, out });
      const index = await DiskIndex.open(out, { backend: "uring", submit: "batch", maxL: 64, maxWidth: 4 });
      try {
        const machine = index.machineFor("pipe") as PagePipeSearch;
        expect(machine.waitMany).toBe(2);
        const params = index.resolve({ mode: "pipe", L: 40, k: 10, width: 4 });
        let full = 0;
        let partial = 0;
        for (let s = 0; s < 20; s++) {
          machine.begin(t.randomQuery(300 + s), 0, params, performance.now());
          for (;;) {
            const p = machine.step(performance.now());
            if (p === Done) break;
            if (p === Ready) {
              index.driver.collect();
              continue;
            }
            const want = machine.waitingFor();
            expect(want).toBe(machine.inFlight >= 4 ? 2 : 1);
            if (want === 2) full++;
            else partial++;
            index.driver.block(want);
          }
          index.driver.drain();
        }
        expect(full).toBeGreaterThan(0);
        expect(partial).toBeGreaterThan(0);
        const hits = [2, 1].map((waitMany) => {
          machine.waitMany = waitMany;
          let n = 0;
          for (let s = 0; s < 60; s++) {
            const query = t.randomQuery(300 + s);
            const want = new Set(t.exact(query, 10).ids);
            for (const id of index.search(query, { mode: "pipe", L: 40, k: 10, width: 4 }).ids) if (want.has(id)) n++;
          }
          return n;
        });
        expect(hits[0]!).toBeGreaterThan(0.98 * hits[1]!);
      } finally {
        index.close();
      }
    } finally {
      t.cleanup();
    }
  });
});

describe("page search allocates nothing per query", () => {
  const KINDS = ["Object", "Array", "Function", "string", "ArrayBuffer", "Float32Array", "Uint32Array", "Uint8Array"];
  test("beam and pipe, 20 vs 200 queries on real io_uring", async () => {
    const t = writeTinyIndex({ n: 1500, dim: 30, R: 12, M: 10, type: "uint8", entryGraph: true, seed: 4 });
    try {
      const out = `${t.prefix}-page`;
      relayoutIndex({ src: t.prefix, out });
      const index = await DiskIndex.open(out, { backend: "uring", maxL: 64, maxWidth: 8 });
      try {
        const nq = 200;
        const queries = new Float32Array(nq * 30);
        for (let q = 0; q < nq; q++) queries.set(t.randomQuery(900 + q), q * 30);
        const ids = new Uint32Array(10);
        const dists = new Float32Array(10);
        for (const mode of ["beam", "pipe"] as const) {
          const params = index.resolve({ mode, L: 40, k: 10, width: 4 });
          const objects = (count: number): Record<string, number> => {
            Bun.gc(true);
            const before = heapStats().objectTypeCounts;
            for (let q = 0; q < count; q++) index.searchInto(queries, q * 30, params, ids, dists, 0);
            const after = heapStats().objectTypeCounts;
            return Object.fromEntries(KINDS.map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));
          };
          for (let i = 0; i < 2; i++) objects(nq); // the JIT's own allocations first
          const small = objects(20);
          const large = objects(nq);
          const extra = Object.fromEntries(
            KINDS.map((k) => [k, large[k]! - small[k]!]).filter(([, d]) => (d as number) > 2),
          );
          expect(extra).toEqual({});
          expect(index.machineFor(mode).stats.pageNodes).toBeGreaterThan(0);
        }
      } finally {
        index.close();
      }
    } finally {
      t.cleanup();
    }
  }, 60_000);
});
