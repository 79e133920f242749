// Hand-checked builds: points on a line, where robust pruning provably keeps only the path edges
// (a farther point on the same side is occluded by the nearer one: d(p,c)/d(k,c) > alpha), so every
// byte of the resulting disk index follows from docs/disk-format.md by hand.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { buildIndex } from "../../src/build/build-index.ts";
import { parseSidecar } from "../../src/format/index-sidecar.ts";
import { parseMemIndexGraph, parseMemIndexTags } from "../../src/format/mem-index.ts";
import { parsePqCompressed, parsePqPivots } from "../../src/format/pq-files.ts";
import { makeTempDir } from "../format/tmp.ts";

const tmp = makeTempDir("build-tiny");
afterAll(() => tmp.cleanup());

/** Little-endian bytes of an unsigned integer of `width` bytes. */
function le(value: number, width: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < width; b++) out.push(Math.floor(value / 2 ** (8 * b)) & 0xff);
  return out;
}

function f32(value: number): number[] {
  return Array.from(new Uint8Array(new Float32Array([value]).buffer));
}

function headerBytes(v: {
  npts: number;
  dim: number;
  medoid: number;
  maxNode: number;
  perSector: number;
  fileBytes: number;
}): number[] {
  const out = [...le(9, 4), ...le(1, 4)];
  for (const x of [v.npts, v.dim, v.medoid, v.maxNode, v.perSector, 0, 0, 0, v.fileBytes]) out.push(...le(x, 8));
  while (out.length < 4096) out.push(0);
  return out;
}

describe("4 uint8 points on a line, R 3", () => {
  const prefix = tmp.path("line");
  const data = new Uint8Array([0, 0, 1, 0, 2, 0, 3, 0]);

  test("every byte of the header and the node sector", async () => {
    await buildIndex({ data, dim: 2, outPrefix: prefix, R: 3, L: 10, alpha: 1.2, pqBytes: 1, threads: 1, seed: 7 });
    const bytes = new Uint8Array(readFileSync(`${prefix}_disk.index`));
    // max_node_len = 2 coords + (3 + 1) * 4 = 18; 4096 / 18 = 227 per sector; 1 node sector; 8192 bytes.
    // medoid: the mean is (1.5, 0); points 1 and 2 tie at 0.25 and the lower id wins.
    expect(bytes.length).toBe(8192);
    expect(Array.from(bytes.subarray(0, 4096))).toEqual(
      headerBytes({ npts: 4, dim: 2, medoid: 1, maxNode: 18, perSector: 227, fileBytes: 8192 }),
    );
    const node = (x: number, nbrs: number[]) => {
      const rec = [x, 0, ...le(nbrs.length, 4)];
      for (const n of nbrs) rec.push(...le(n, 4));
      while (rec.length < 18) rec.push(0);
      return rec;
    };
    // Path graph: 0→1; 1→0,2 (tie at distance 1, lower id first); 2→1,3; 3→2. Records are 18 bytes, so
    // degrees and ids sit at unaligned offsets.
    const expected = [...node(0, [1]), ...node(1, [0, 2]), ...node(2, [1, 3]), ...node(3, [2])];
    while (expected.length < 4096) expected.push(0);
    expect(Array.from(bytes.subarray(4096, 8192))).toEqual(expected);
  });

  test("companion files: PQ, entry graph, sidecar", () => {
    const pivots = parsePqPivots(new Uint8Array(readFileSync(`${prefix}_pq_pivots.bin`)), "pivots");
    expect(pivots.offsetCount).toBe(5);
    expect(pivots.M).toBe(1);
    expect(Array.from(pivots.chunkOffsets)).toEqual([0, 2]);
    // Centroid is the mean (1.5, 0); every point is a centre, so each code reconstructs its point.
    expect(Array.from(pivots.centroid)).toEqual([1.5, 0]);
    const codes = parsePqCompressed(new Uint8Array(readFileSync(`${prefix}_pq_compressed.bin`)), "codes", {
      npts: 4,
      M: 1,
    });
    for (let i = 0; i < 4; i++) {
      const c = codes.codes[i]!;
      expect(pivots.pivots[c * 2]! + 1.5).toBe(i);
      expect(pivots.pivots[c * 2 + 1]).toBe(0);
    }
    const graph = parseMemIndexGraph(new Uint8Array(readFileSync(`${prefix}_mem.index`)), "mem");
    expect(graph.npts).toBe(1); // ceil(1% of 4)
    const tags = parseMemIndexTags(new Uint8Array(readFileSync(`${prefix}_mem.index.tags`)), "tags", {
      npts: 1,
      diskNpts: 4,
    });
    const dataFile = new Uint8Array(readFileSync(`${prefix}_mem.index.data`));
    expect(Array.from(dataFile.subarray(0, 8))).toEqual([...le(1, 4), ...le(2, 4)]);
    expect(Array.from(dataFile.subarray(8))).toEqual([tags[0]!, 0]);
    const sidecar = parseSidecar(readFileSync(`${prefix}_ringann.json`, "utf8"), "sidecar");
    expect(sidecar).toMatchObject({
      metric: "l2",
      type: "uint8",
      npts: 4,
      dim: 2,
      R: 3,
      L: 10,
      alpha: 1.2,
      pqBytes: 1,
      medoid: 1,
      threads: 1,
      seed: 7,
    });
  });
});

describe("large nodes: 3 float32 points of 1100 dims, R 2", () => {
  test("each node spans 2 sectors starting on its own boundary", async () => {
    const prefix = tmp.path("large");
    const dim = 1100;
    const data = new Float32Array(3 * dim);
    for (let i = 0; i < 3; i++) data.fill(i, i * dim, (i + 1) * dim); // row i = (i, i, ..., i)
    await buildIndex({ data, dim, outPrefix: prefix, R: 2, L: 8, pqBytes: 4, threads: 1, entryGraph: false });
    const bytes = new Uint8Array(readFileSync(`${prefix}_disk.index`));
    // max_node_len = 4400 + 3 * 4 = 4412 > 4096: nnodes_per_sector 0, 2 sectors per node, 1 + 6 sectors.
    expect(bytes.length).toBe(7 * 4096);
    expect(Array.from(bytes.subarray(0, 4096))).toEqual(
      headerBytes({ npts: 3, dim, medoid: 1, maxNode: 4412, perSector: 0, fileBytes: 7 * 4096 }),
    );
    const nbrsOf = [[1], [0, 2], [1]];
    for (let i = 0; i < 3; i++) {
      const run = bytes.subarray((1 + 2 * i) * 4096, (3 + 2 * i) * 4096);
      const expected: number[] = [];
      for (let j = 0; j < dim; j++) expected.push(...f32(i));
      expected.push(...le(nbrsOf[i]!.length, 4));
      for (const n of nbrsOf[i]!) expected.push(...le(n, 4));
      while (expected.length < 8192) expected.push(0);
      expect(Array.from(run)).toEqual(expected);
    }
    expect(() => readFileSync(`${prefix}_mem.index`)).toThrow();
  });
});
