import { describe, expect, test } from "bun:test";
import { PIPEANN } from "../fixtures.ts";
import { readFileSync } from "node:fs";
import { FormatError } from "../../src/errors.ts";
import {
  encodePqCompressedHeader,
  encodePqPivots,
  parsePqCompressed,
  parsePqPivots,
} from "../../src/format/pq-files.ts";

const DIR = PIPEANN.dir + "/";

describe("PipeANN-written PQ files", () => {
  const bytes = new Uint8Array(readFileSync(DIR + "syn10k_pq_pivots.bin"));
  const p = parsePqPivots(bytes, "syn10k_pq_pivots.bin");

  test("pivots: nr=5, 32 chunks of 4 dims, identity rearrangement", () => {
    expect(p.offsetCount).toBe(5);
    expect(p.dim).toBe(128);
    expect(p.M).toBe(32);
    expect(p.pivots.length).toBe(256 * 128);
    expect(Array.from(p.chunkOffsets)).toEqual(Array.from({ length: 33 }, (_, m) => 4 * m));
    expect(Array.from(p.perm!)).toEqual(Array.from({ length: 128 }, (_, j) => j));
    // first pivot float sits right after the block header at 4096 + 8
    expect(p.pivots[0]).toBe(new DataView(bytes.buffer).getFloat32(4104, true));
    expect(p.centroid[0]).toBe(new DataView(bytes.buffer).getFloat32(135176 + 8, true));
  });

  test("re-encoding the parsed pivots reproduces the file byte for byte", () => {
    const again = encodePqPivots(p, 5);
    expect(again.length).toBe(bytes.length);
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });

  test("nr=4 variant round-trips without a rearrangement", () => {
    const four = encodePqPivots(p, 4);
    expect(four.length).toBe(bytes.length - (8 + 128 * 4));
    const q = parsePqPivots(four, "four");
    expect(q.offsetCount).toBe(4);
    expect(q.perm).toBeNull();
    expect(Array.from(q.pivots)).toEqual(Array.from(p.pivots));
    expect(Array.from(q.chunkOffsets)).toEqual(Array.from(p.chunkOffsets));
  });

  test("compressed codes: 10,000 x 32, checked against the pivots' M", () => {
    const c = new Uint8Array(readFileSync(DIR + "syn10k_pq_compressed.bin"));
    const codes = parsePqCompressed(c, "c", { npts: 10000, M: p.M });
    expect(codes.codes.length).toBe(320000);
    expect(codes.codes[0]).toBe(c[8]!);
    expect(() => parsePqCompressed(c, "c", { M: 16 })).toThrow(FormatError);
    expect(() => parsePqCompressed(c.subarray(0, c.length - 1), "c")).toThrow(FormatError);
    expect(Array.from(encodePqCompressedHeader(10000, 32))).toEqual(Array.from(c.subarray(0, 8)));
  });

  test("corrupt pivots name the field", () => {
    const bad = bytes.slice();
    new DataView(bad.buffer).setUint32(136216 + 8 + 4 * 5, 3, true); // chunk_offsets[5] = 3 < [4] = 16
    try {
      parsePqPivots(bad, "bad");
      throw new Error("no error");
    } catch (err) {
      expect(err).toBeInstanceOf(FormatError);
      expect((err as FormatError).field).toBe("chunk_offsets[5]");
    }
    const dup = bytes.slice();
    new DataView(dup.buffer).setUint32(135696 + 8, 1, true); // perm[0] = 1 duplicates perm[1]
    expect(() => parsePqPivots(dup, "dup")).toThrow(/rearrangement\[1\]/);
    expect(() => parsePqPivots(bytes.subarray(0, bytes.length - 4), "short")).toThrow(/file size/);
  });
});
