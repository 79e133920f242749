import { describe, expect, test } from "bun:test";
import { PIPEANN } from "../fixtures.ts";
import { readFileSync } from "node:fs";
import { FormatError } from "../../src/errors.ts";
import {
  decodeNodeCoords,
  decodeNodeNeighbors,
  diskLayoutFor,
  encodeDiskIndexHeader,
  encodeNode,
  nodeByteOffsetInSector,
  nodeDegree,
  nodeReadBytes,
  nodeSectorIndex,
  parseDiskIndexHeader,
} from "../../src/format/disk-index.ts";

const FIXTURE = `${PIPEANN.prefix}_disk.index`;

function u64le(bytes: Uint8Array, at: number): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(at, true));
}

function expectFormatError(fn: () => unknown, field: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).code).toBe("E_FORMAT");
    expect((err as FormatError).field).toContain(field);
    return;
  }
  throw new Error(`expected a FormatError on field '${field}'`);
}

describe("PipeANN-written fixture", () => {
  const bytes = new Uint8Array(readFileSync(FIXTURE));
  const meta = parseDiskIndexHeader(bytes.subarray(0, 4096), FIXTURE, bytes.length, "float32");

  test("header fields match the fixture's README", () => {
    expect(meta.npts).toBe(10000);
    expect(meta.dim).toBe(128);
    expect(meta.medoid).toBe(4604);
    expect(meta.maxNodeBytes).toBe(644);
    expect(meta.nodesPerSector).toBe(6);
    expect(meta.R).toBe(32);
    expect(meta.numFrozen).toBe(0);
    expect(meta.nodeSectors).toBe(1667);
    expect(meta.layoutBytes).toBe(6_832_128);
    expect(meta.headerVariant).toBe("pipeann");
    expect(meta.headerValueCount).toBe(9);
  });

  test("every node decodes: degree ≤ R, ids < npts, coords equal base.fbin", () => {
    const base = new Float32Array(readFileSync(PIPEANN.base).buffer.slice(8));
    const nbrs = new Uint32Array(meta.R);
    const coords = new Float32Array(meta.dim);
    for (let id = 0; id < meta.npts; id++) {
      const s = nodeSectorIndex(meta, id) * 4096;
      const sector = bytes.subarray(s, s + nodeReadBytes(meta));
      const n = decodeNodeNeighbors(meta, sector, id, nbrs);
      expect(n).toBeLessThanOrEqual(32);
      if (id % 997 === 0) {
        decodeNodeCoords(meta, sector, id, coords, 0);
        expect(Array.from(coords)).toEqual(Array.from(base.subarray(id * 128, id * 128 + 128)));
      }
    }
  });

  test("a truncated file is rejected with the file size field", () => {
    expectFormatError(
      () => parseDiskIndexHeader(bytes.subarray(0, 4096), FIXTURE, bytes.length - 4096, "float32"),
      "file size",
    );
  });
});

describe("hand-checked tiny index (float32, dim 2, R 3)", () => {
  // Layout by hand: max_node_len = 2*4 + (3+1)*4 = 24; 4096/24 = 170 nodes per sector; 5 nodes → 1
  // node sector; file = 2 sectors = 8192 bytes.
  const header = encodeDiskIndexHeader({ npts: 5, dim: 2, type: "float32", R: 3, medoid: 2 });

  test("every header byte", () => {
    expect(header.length).toBe(4096);
    const expected = new Uint8Array(4096);
    const put = (at: number, v: number, width: 4 | 8) => {
      for (let b = 0; b < width; b++) expected[at + b] = Math.floor(v / 2 ** (8 * b)) & 0xff;
    };
    put(0, 9, 4); // nr
    put(4, 1, 4); // nc
    put(8, 5, 8); // npts
    put(16, 2, 8); // ndims
    put(24, 2, 8); // medoid
    put(32, 24, 8); // max_node_len
    put(40, 170, 8); // nnodes_per_sector
    put(48, 0, 8); // num_frozen
    put(56, 0, 8); // frozen_loc
    put(64, 0, 8); // append_reorder_data
    put(72, 8192, 8); // file size
    expect(Array.from(header)).toEqual(Array.from(expected));
  });

  test("node records: bytes, addressing and decoding", () => {
    const layout = { ...diskLayoutFor({ npts: 5, dim: 2, type: "float32", R: 3 }), dim: 2, type: "float32" as const };
    const sector = new Uint8Array(4096);
    const vectors = new Float32Array([0, 0, 1, 0, 2, 0, 3, 0, 4, 0.5]);
    const nbrs = new Uint32Array([1, 2, 0, 2, 3, 4, 1]);
    encodeNode(layout, sector, 0, vectors, 0, nbrs, 0, 2); // node 0 → {1, 2}
    encodeNode(layout, sector, 4, vectors, 8, nbrs, 2, 3); // node 4 → {0, 2, 3}
    expect(nodeSectorIndex(layout, 4)).toBe(1);
    expect(nodeByteOffsetInSector(layout, 4)).toBe(96);
    // node 0 at byte 0: coords 0.0, 0.0, nnbrs 2, nbrs 1, 2, slot 3 zero
    expect(Array.from(sector.subarray(0, 24))).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
    ]);
    // node 4 at byte 96: coords 4.0 (0x40800000), 0.5 (0x3f000000), nnbrs 3, nbrs 0, 2, 3
    expect(Array.from(sector.subarray(96, 120))).toEqual([
      0, 0, 0x80, 0x40, 0, 0, 0, 0x3f, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0,
    ]);
    expect(sector.subarray(120).every((b) => b === 0)).toBe(true);

    const meta = parseDiskIndexHeader(header, "tiny_disk.index", 8192, "float32");
    expect(meta.headerVariant).toBe("diskann-cpp");
    const out = new Uint32Array(3);
    expect(decodeNodeNeighbors(meta, sector, 4, out)).toBe(3);
    expect(Array.from(out)).toEqual([0, 2, 3]);
    const coords = new Float32Array(2);
    decodeNodeCoords(meta, sector, 4, coords, 0);
    expect(Array.from(coords)).toEqual([4, 0.5]);
  });

  test("bad records name the node and field", () => {
    const meta = parseDiskIndexHeader(header, "tiny_disk.index", 8192, "float32");
    const sector = new Uint8Array(4096);
    sector[8] = 4; // node 0 degree 4 > R 3
    expectFormatError(() => nodeDegree(meta, sector, 0), "node 0 nnbrs");
    sector[8] = 1;
    sector[12] = 5; // neighbour id 5 ≥ npts 5
    expectFormatError(() => decodeNodeNeighbors(meta, sector, 0, new Uint32Array(3)), "node 0 nbrs[0]");
  });

  test("inconsistent header fields are rejected", () => {
    const mutate = (at: number, v: number) => {
      const h = header.slice();
      new DataView(h.buffer).setBigUint64(at, BigInt(v), true);
      return h;
    };
    expectFormatError(() => parseDiskIndexHeader(mutate(24, 5), "t", 8192, "float32"), "medoid");
    expectFormatError(() => parseDiskIndexHeader(mutate(40, 171), "t", 8192, "float32"), "nnodes_per_sector");
    expectFormatError(() => parseDiskIndexHeader(mutate(32, 26), "t", 8192, "float32"), "max_node_len");
    expectFormatError(() => parseDiskIndexHeader(mutate(72, 12288), "t", 8192, "float32"), "file_size");
    expectFormatError(() => parseDiskIndexHeader(mutate(48, 2), "t", 8192, "float32"), "num_frozen");
    const h = header.slice();
    h[0] = 3;
    expectFormatError(() => parseDiskIndexHeader(h, "t", 8192, "float32"), "header nr");
    expectFormatError(() => parseDiskIndexHeader(header, "t", 12288, "float32"), "file_size");
  });
});

describe("large-node case (a node spans several sectors)", () => {
  test("960-d float32, R 64: 2 sectors per node, node i at sector 1 + 2i", () => {
    const layout = diskLayoutFor({ npts: 3, dim: 960, type: "float32", R: 64 });
    expect(layout.maxNodeBytes).toBe(3840 + 260);
    expect(layout.nodesPerSector).toBe(0);
    expect(layout.sectorsPerNode).toBe(2);
    expect(layout.layoutBytes).toBe((1 + 6) * 4096);
    const header = encodeDiskIndexHeader({ npts: 3, dim: 960, type: "float32", R: 64, medoid: 1 });
    expect(u64le(header, 40)).toBe(0);
    const meta = parseDiskIndexHeader(header, "big", layout.layoutBytes, "float32");
    expect(meta.sectorsPerNode).toBe(2);
    expect(nodeSectorIndex(meta, 2)).toBe(5);
    expect(nodeByteOffsetInSector(meta, 2)).toBe(0);
    expect(nodeReadBytes(meta)).toBe(8192);

    const vectors = new Float32Array(960 * 3).map((_, i) => i);
    const read = new Uint8Array(8192);
    encodeNode({ ...layout, dim: 960, type: "float32" }, read, 2, vectors, 1920, new Uint32Array([0, 1]), 0, 2);
    const out = new Uint32Array(64);
    expect(decodeNodeNeighbors(meta, read, 2, out)).toBe(2);
    expect(Array.from(out.subarray(0, 2))).toEqual([0, 1]);
    const coords = new Float32Array(960);
    decodeNodeCoords(meta, read, 2, coords, 0);
    expect(coords[0]).toBe(1920);
    expect(coords[959]).toBe(2879);
  });
});
