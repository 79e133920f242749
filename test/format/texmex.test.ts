import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { FormatError } from "../../src/errors.ts";
import { TexmexReader, readTexmex, writeTexmex, type TexmexKind } from "../../src/format/texmex.ts";
import { caught, makeTempDir } from "./tmp.ts";

const tmp = makeTempDir("texmex");
afterAll(tmp.cleanup);

function values(kind: TexmexKind, count: number): Float32Array | Int32Array | Uint8Array {
  if (kind === "fvecs") return Float32Array.from({ length: count }, (_, i) => Math.sin(i) * 1000);
  if (kind === "ivecs") return Int32Array.from({ length: count }, (_, i) => (i * 2654435761) | 0);
  return Uint8Array.from({ length: count }, (_, i) => (i * 37) & 255);
}

describe("texmex files", () => {
  for (const kind of ["fvecs", "ivecs", "bvecs"] as const) {
    test(`${kind} round trip and row ranges`, () => {
      const npts = 25,
        dim = 9;
      const data = values(kind, npts * dim);
      const file = tmp.path(`rt.${kind}`);
      writeTexmex(file, kind, data, dim);
      const { header, data: back } = readTexmex(file);
      expect(header.npts).toBe(npts);
      expect(header.dim).toBe(dim);
      expect(header.kind).toBe(kind);
      expect(Array.from(back)).toEqual(Array.from(data));
      const reader = TexmexReader.open(file);
      expect(Array.from(reader.readRows(20, 5))).toEqual(Array.from(data.subarray(20 * dim)));
      reader.close();
    });
  }

  test("a file written byte by byte from the documented layout is read correctly", () => {
    // every vector: int32 d | d values
    const bytes = new Uint8Array(2 * (4 + 3 * 4));
    const view = new DataView(bytes.buffer);
    const rows = [
      [1, -2, 3.5],
      [4, 5, -6.25],
    ];
    rows.forEach((row, r) => {
      view.setInt32(r * 16, 3, true);
      row.forEach((v, j) => view.setFloat32(r * 16 + 4 + 4 * j, v, true));
    });
    const file = tmp.path("hand.fvecs");
    writeFileSync(file, bytes);
    const { header, data } = readTexmex(file);
    expect([header.npts, header.dim]).toEqual([2, 3]);
    expect(Array.from(data)).toEqual(rows.flat());

    const b = tmp.path("hand.bvecs");
    writeFileSync(b, Uint8Array.from([2, 0, 0, 0, 7, 255, 2, 0, 0, 0, 0, 128]));
    expect(Array.from(readTexmex(b).data)).toEqual([7, 255, 0, 128]);

    const written = tmp.path("written.ivecs");
    writeTexmex(written, "ivecs", Int32Array.from([-1, 2]), 1);
    expect(Array.from(readFileSync(written))).toEqual([1, 0, 0, 0, 255, 255, 255, 255, 1, 0, 0, 0, 2, 0, 0, 0]);
  });

  test("truncated files and rows with a different d are rejected", () => {
    const file = tmp.path("cut.fvecs");
    writeTexmex(file, "fvecs", new Float32Array(30), 10);
    const full = readFileSync(file);
    writeFileSync(file, full.subarray(0, full.length - 3));
    const err = caught(() => TexmexReader.open(file)) as FormatError;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.code).toBe("E_TRUNCATED");
    expect(err.field).toBe("file size");
    expect(err.expected).toBe("a multiple of 44 bytes (4 + d 10 × 4, fvecs)");
    expect(err.found).toBe("129 bytes (2 whole vectors and 41 bytes more)");

    const odd = Buffer.from(full);
    odd.writeInt32LE(11, 44); // vector 1 claims d = 11
    writeFileSync(file, odd);
    const bad = caught(() => readTexmex(file)) as FormatError;
    expect(bad).toBeInstanceOf(FormatError);
    expect(bad.field).toBe("d of vector 1");
    expect(bad.expected).toBe("10 (the first vector's d)");
    expect(bad.found).toBe("11");

    writeFileSync(file, Uint8Array.from([0, 0, 0, 0]));
    expect((caught(() => readTexmex(file)) as FormatError).field).toBe("d of vector 0");
  });
});
