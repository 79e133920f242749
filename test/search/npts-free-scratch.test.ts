// What lets the search side serve a billion points: nothing per query machine or per Worker is
// sized by npts. On the index PipeANN wrote (test/fixtures/pipeann-syn10k, with its entry
// graph): searches with the hashed visited sets forced (what indexes above 2^24 points get) return
// exactly what the stamped arrays return — same ids, distances, reads, hops — and the node cache's
// id → position table answers every id as an npts-sized table over a reference BFS would.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PIPEANN } from "../fixtures.ts";
import { readFileSync } from "node:fs";
import { readBin } from "../../src/format/bin.ts";
import { nodeByteOffsetInSector, nodeSectorIndex } from "../../src/format/disk-index.ts";
import { loadU32 } from "../../src/format/u64-fields.ts";
import { SimReader } from "../../src/io/sim-reader.ts";
import { SECTOR_BYTES } from "../../src/io/reader.ts";
import { loadSharedIndex } from "../../src/run/exec/shared-index.ts";
import { CachePositions } from "../../src/search/cache-positions.ts";
import { DiskIndex, type DiskIndexOptions, type SearchMode } from "../../src/search/disk-index.ts";
import { HashedVisitedSet, StampedVisitedSet } from "../../src/search/visited.ts";

const DIR = PIPEANN.dir + "/";
const PREFIX = DIR + "syn10k";
const CACHE_NODES = 700;
const NQ = 40;

let disk: Uint8Array;
let queries: Float32Array;
let dim: number;

beforeAll(() => {
  disk = new Uint8Array(readFileSync(`${PREFIX}_disk.index`));
  const q = readBin(DIR + "query.fbin", "float32");
  dim = q.dim;
  queries = (q.data as Float32Array).subarray(0, NQ * dim);
});

/** An in-order memory reader: every read completes one tick later, in submission order. */
function inOrder(extra: DiskIndexOptions): DiskIndexOptions {
  return {
    ...extra,
    openReader: (file, g) => new SimReader(disk, { ...g, file, minDelayTicks: 1, maxDelayTicks: 1, shuffle: false }),
  };
}

/** A memory reader completing reads out of order, the same way for the same seed and calls. */
function simOptions(seed: number, extra: DiskIndexOptions): DiskIndexOptions {
  return {
    ...extra,
    openReader: (file, g) => new SimReader(disk, { ...g, file, seed, minDelayTicks: 1, maxDelayTicks: 7 }),
  };
}

/** Every answer, distance and per-query read/hop count of NQ searches. */
function answers(
  index: DiskIndex,
  mode: SearchMode,
  L: number,
): { ids: number[]; dists: number[]; reads: number[]; hops: number[] } {
  const p = index.resolve({ mode, L, k: 10, width: 4 });
  const out = { ids: [] as number[], dists: [] as number[], reads: [] as number[], hops: [] as number[] };
  const ids = new Uint32Array(10);
  const ds = new Float32Array(10);
  for (let q = 0; q < NQ; q++) {
    const n = index.searchInto(queries, q * dim, p, ids, ds, 0);
    out.ids.push(...ids.subarray(0, n));
    out.dists.push(...ds.subarray(0, n));
    const s = index.machineFor(mode).stats;
    out.reads.push(s.reads);
    out.hops.push(s.hops);
  }
  return out;
}

describe("hashed visited sets search exactly like the stamped arrays", () => {
  for (const backend of ["sim", "uring"] as const) {
    // Pipelined search depends on the order reads complete: exact only through the seeded reader.
    const modes: SearchMode[] = backend === "sim" ? ["beam", "pipe"] : ["beam"];
    test(`${backend} reader, ${modes.join(" + ")}, L 10 / 40 / 120, cache ${CACHE_NODES} nodes`, async () => {
      const open = (extra: DiskIndexOptions): Promise<DiskIndex> => {
        const base: DiskIndexOptions = { maxL: 128, cacheNodes: CACHE_NODES, ...extra };
        return DiskIndex.open(PREFIX, backend === "sim" ? simOptions(3, base) : { ...base, backend: "uring" });
      };
      const stamped = await open({});
      const hashed = await open({ visitedArrayMaxNpts: 0 });
      try {
        // The variants really differ (or this test would compare a thing with itself).
        for (const m of stamped.machines) expect(m.visited).toBeInstanceOf(StampedVisitedSet);
        for (const m of hashed.machines) expect(m.visited).toBeInstanceOf(HashedVisitedSet);
        expect(hashed.entryGraph).not.toBeNull();
        // The node cache does not depend on read completion order (loadNodeCache takes a batch's
        // records in submission order), so both hold the same nodes at the same positions.
        expect(Array.from(hashed.cache!.ids)).toEqual(Array.from(stamped.cache!.ids));
        for (const mode of modes) {
          for (const L of [10, 40, 120]) {
            const a = answers(stamped, mode, L);
            const b = answers(hashed, mode, L);
            expect(b).toEqual(a);
            expect(a.ids.length).toBe(10 * NQ);
          }
        }
        // The hash sets were sized for maxL: no query needed to grow them.
        for (const m of hashed.machines) expect((m.visited as HashedVisitedSet).growths).toBe(0);
      } finally {
        stamped.close();
        hashed.close();
      }
    });
  }
});

/**
 * The old loader's answer: BFS from the medoid over the disk file with npts-sized arrays. (The
 * loader stores nodes in completion order; an in-order reader makes that the BFS order.)
 */
function referenceBfs(index: DiskIndex, count: number): Uint32Array {
  const meta = index.meta;
  const seen = new Uint8Array(meta.npts);
  const order = new Uint32Array(meta.npts);
  let tail = 0;
  order[tail++] = meta.medoid;
  seen[meta.medoid] = 1;
  for (let head = 0; head < count && head < tail; head++) {
    const id = order[head]!;
    const at = nodeSectorIndex(meta, id) * SECTOR_BYTES + nodeByteOffsetInSector(meta, id) + meta.coordBytes;
    const degree = loadU32(disk, at);
    for (let k = 0; k < degree; k++) {
      const nb = loadU32(disk, at + 4 + 4 * k);
      if (!seen[nb]) {
        seen[nb] = 1;
        order[tail++] = nb;
      }
    }
  }
  return order.slice(0, Math.min(count, tail));
}

describe("node cache without npts-sized tables", () => {
  let index: DiskIndex;
  beforeAll(async () => {
    index = await DiskIndex.open(PREFIX, inOrder({ cacheNodes: CACHE_NODES }));
  });
  afterAll(() => index?.close());

  test("caches the same nodes in the same BFS order as the npts-sized loader", () => {
    expect(Array.from(index.cache!.ids)).toEqual(Array.from(referenceBfs(index, CACHE_NODES)));
  });

  test("positionOfNode equals an npts-sized position table for every id", () => {
    const cache = index.cache!;
    const table = new Int32Array(index.meta.npts).fill(-1);
    for (let i = 0; i < cache.ids.length; i++) table[cache.ids[i]!] = i;
    let hits = 0;
    for (let id = 0; id < index.meta.npts; id++) {
      expect(cache.positionOfNode(id)).toBe(table[id]!);
      if (table[id]! >= 0) hits++;
    }
    expect(hits).toBe(CACHE_NODES);
    // Sized by the cache: 2 × 2^11 slots of 2 words for 700 nodes, not npts.
    expect(cache.positions.table.length).toBe(2 * 2048);
  });

  test("Workers get the table in shared memory and look up the positions of the shared ids", async () => {
    // Through io_uring: completion order (hence positions) may differ from the in-order cache above.
    const { parts } = await loadSharedIndex(
      PREFIX,
      { backend: "uring", cacheNodes: CACHE_NODES, entryGraph: false, maxL: 64, maxWidth: 4 },
      () => null,
    );
    const shared = parts.cache!;
    expect(shared.positions.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(new Set(shared.ids).size).toBe(CACHE_NODES);
    const table = new Int32Array(index.meta.npts).fill(-1);
    for (let i = 0; i < shared.ids.length; i++) table[shared.ids[i]!] = i;
    const positions = new CachePositions(shared.positions);
    for (let id = 0; id < index.meta.npts; id++) expect(positions.positionOf(id)).toBe(table[id]!);
  });

  test("a whole-graph cache (count = npts) holds every node once", async () => {
    const all = await DiskIndex.open(PREFIX, inOrder({ cacheNodes: index.meta.npts, entryGraph: false }));
    try {
      const cache = all.cache!;
      expect(cache.count).toBe(index.meta.npts);
      expect(Array.from(cache.ids)).toEqual(Array.from(referenceBfs(index, index.meta.npts)));
      const seen = new Uint8Array(index.meta.npts);
      for (let id = 0; id < index.meta.npts; id++) {
        const pos = cache.positionOfNode(id);
        expect(cache.ids[pos]).toBe(id);
        seen[pos]++;
      }
      expect(seen.every((x) => x === 1)).toBe(true);
    } finally {
      all.close();
    }
  });

  test("a table built elsewhere is refused if its length is not 2 × a power of two", () => {
    expect(() => new CachePositions(new Uint32Array(6))).toThrow(/power of two/);
  });
});
