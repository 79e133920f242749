// The fuzzer's disk-index node records: records are parsed where they are read — by the search
// (NodeSource.load) and the node-cache loader — so mutated records go through real searches. The
// PipeANN fixture is served by a SimReader over a copy of its bytes; each case mutates one record
// near the medoid (degree set to an edge value, a neighbour id set to an edge value, bit flips, a
// coordinate set to NaN/Inf), runs a beam and a pipe query from the medoid and opens a node cache,
// then restores the bytes. Each must answer well-formed (ids unique and < npts) or throw a FormatError
// naming the disk file and the node. RINGANN_FUZZ=N sets the cases (default 150).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { FormatError } from "../../src/errors.ts";
import { readBin } from "../../src/format/bin.ts";
import { decodeNodeNeighbors, nodeByteOffsetInSector, nodeSectorIndex } from "../../src/format/disk-index.ts";
import { SimReader } from "../../src/io/sim-reader.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { loadNodeCache } from "../../src/search/cache.ts";
import { rng } from "../search/tiny-index.ts";
import { PIPEANN } from "../fixtures.ts";

const CASES = Number(process.env.RINGANN_FUZZ ?? 150);
const EDGE = [0, 1, 31, 32, 33, 9999, 10000, 10001, 0x7fffffff, 0x80000000, 0xffffffff];

let disk: Uint8Array;
let index: DiskIndex;
let reader: SimReader;
let queries: Float32Array;
let near: number[];

beforeAll(async () => {
  disk = new Uint8Array(readFileSync(`${PIPEANN.prefix}_disk.index`));
  index = await DiskIndex.open(PIPEANN.prefix, {
    entryGraph: false,
    openReader: (file, g) => (reader = new SimReader(disk, { ...g, file, seed: 5, maxDelayTicks: 3 })),
  });
  queries = readBin(PIPEANN.queries, "float32").data as Float32Array;
  // Nodes a search from the medoid reads: the medoid, its neighbours and theirs.
  const meta = index.meta;
  const nbrs = new Uint32Array(meta.R);
  const seen = new Set([meta.medoid]);
  let frontier = [meta.medoid];
  for (let depth = 0; depth < 2; depth++) {
    const next: number[] = [];
    for (const id of frontier) {
      const sector = disk.subarray(nodeSectorIndex(meta, id) * 4096);
      const n = decodeNodeNeighbors(meta, sector, id, nbrs);
      for (let k = 0; k < n; k++) {
        const nbr = nbrs[k]!;
        if (seen.has(nbr)) continue;
        seen.add(nbr);
        next.push(nbr);
      }
    }
    frontier = next;
  }
  near = [...seen];
});
afterAll(() => index?.close());

test(`node records: ${CASES} mutations through beam and pipe searches and the cache loader end in answers or a FormatError`, () => {
  const meta = index.meta;
  const failures: string[] = [];
  for (let i = 0; i < CASES && failures.length < 10; i++) {
    const r = rng(i * 7919 + 3);
    const id = r() < 0.3 ? meta.medoid : near[Math.floor(r() * near.length)]!;
    const recordAt = nodeSectorIndex(meta, id) * 4096 + nodeByteOffsetInSector(meta, id);
    const saved = disk.slice(recordAt, recordAt + meta.maxNodeBytes);
    const view = new DataView(disk.buffer, disk.byteOffset);
    const kind = Math.floor(r() * 4);
    let what: string;
    if (kind === 0) {
      const v = EDGE[Math.floor(r() * EDGE.length)]!;
      view.setUint32(recordAt + meta.coordBytes, v, true);
      what = `node ${id} degree = ${v}`;
    } else if (kind === 1) {
      const v = EDGE[Math.floor(r() * EDGE.length)]!;
      const k = Math.floor(r() * meta.R);
      view.setUint32(recordAt + meta.coordBytes + 4 + 4 * k, v, true);
      what = `node ${id} nbrs[${k}] = ${v}`;
    } else if (kind === 2) {
      const flips = 1 + Math.floor(r() * 8);
      for (let f = 0; f < flips; f++) disk[recordAt + Math.floor(r() * meta.maxNodeBytes)]! ^= 1 << Math.floor(r() * 8);
      what = `node ${id}: ${flips} bit flips`;
    } else {
      const v = [NaN, Infinity, -Infinity][Math.floor(r() * 3)]!;
      view.setFloat32(recordAt + 4 * Math.floor(r() * meta.dim), v, true);
      what = `node ${id}: a coordinate = ${v}`;
    }
    const q = i % 200;
    const problems: string[] = [];
    for (const mode of ["beam", "pipe"] as const) {
      try {
        const res = index.search(queries, { mode, L: 20, k: 10, entry: "medoid" }, q * meta.dim);
        if (new Set(res.ids).size !== res.ids.length || res.ids.some((x) => x >= meta.npts)) problems.push(`${mode}: bad answer ${[...res.ids]}`);
      } catch (err) {
        if (!(err instanceof FormatError) || err.file !== index.files.diskFile || !err.field.startsWith("node ")) {
          problems.push(`${mode}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
        }
      }
    }
    index.driver.drain();
    if (reader.slotsHeld !== 0) problems.push(`search left ${reader.slotsHeld} slots held`);
    try {
      loadNodeCache(reader, meta, 60);
    } catch (err) {
      if (!(err instanceof FormatError) || err.file !== index.files.diskFile) problems.push(`cache: ${String(err)}`);
    }
    if (reader.slotsHeld !== 0) problems.push(`the cache loader left ${reader.slotsHeld} slots held`);
    disk.set(saved, recordAt);
    if (problems.length > 0) failures.push(`case ${i} (${what}): ${problems.join("; ")}`);
  }
  expect(failures).toEqual([]);
  index.driver.drain();
  expect(reader.slotsHeld).toBe(0);
}, 600_000);
