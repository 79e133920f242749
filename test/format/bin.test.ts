import { afterAll, describe, expect, test } from "bun:test";
import {
  closeSync,
  existsSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { FormatError } from "../../src/errors.ts";
import { BinReader, BinWriter, readBin, readBinHeader, readBinRows, writeBin } from "../../src/format/bin.ts";
import type { VectorType, Vectors } from "../../src/format/vector-type.ts";
import { caught, makeTempDir } from "./tmp.ts";

const tmp = makeTempDir("bin");
afterAll(tmp.cleanup);

function seededValues(type: VectorType, count: number, seed: number): Vectors {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  if (type === "float32") return Float32Array.from({ length: count }, () => next() * 200 - 100);
  if (type === "uint8") return Uint8Array.from({ length: count }, () => Math.floor(next() * 256));
  return Int8Array.from({ length: count }, () => Math.floor(next() * 256) - 128);
}

const EXT: Record<VectorType, string> = { float32: "fbin", uint8: "u8bin", int8: "i8bin" };

describe("vector .bin files", () => {
  for (const type of ["float32", "uint8", "int8"] as const) {
    test(`${type} round trip, whole file and row ranges`, () => {
      const npts = 37,
        dim = 13;
      const data = seededValues(type, npts * dim, 7);
      const file = tmp.path(`rt.${EXT[type]}`);
      writeBin(file, type, data, dim);
      const header = readBinHeader(file);
      expect(header).toEqual({ file, npts, dim, type, fileBytes: 8 + npts * dim * (type === "float32" ? 4 : 1) });
      const back = readBin(file);
      expect(back.type).toBe(type);
      expect(back.npts).toBe(npts);
      expect(back.dim).toBe(dim);
      expect(Array.from(back.data)).toEqual(Array.from(data));
      const rows = readBinRows(file, type, 5, 9);
      expect(Array.from(rows)).toEqual(Array.from(data.subarray(5 * dim, 14 * dim)));
      expect(readBinRows(file, undefined, npts, 0).length).toBe(0);
    });
  }

  test("a file written byte by byte from the documented layout is read correctly", () => {
    // int32 npts | int32 dim | float32 data, little-endian, no padding.
    const bytes = new Uint8Array(8 + 2 * 3 * 4);
    const view = new DataView(bytes.buffer);
    view.setInt32(0, 2, true);
    view.setInt32(4, 3, true);
    const values = [1.5, -2, 3.25, 0, 1e-3, -7.75];
    values.forEach((v, i) => view.setFloat32(8 + 4 * i, v, true));
    const file = tmp.path("hand.fbin");
    writeFileSync(file, bytes);
    const back = readBin(file);
    expect(back.npts).toBe(2);
    expect(back.dim).toBe(3);
    expect(Array.from(back.data)).toEqual(Array.from(Float32Array.from(values)));
    expect(Array.from(readBinRows(file, "float32", 1, 1))).toEqual(Array.from(Float32Array.from(values.slice(3))));

    const u8 = new Uint8Array([3, 0, 0, 0, 2, 0, 0, 0, 10, 20, 30, 40, 250, 255]);
    writeFileSync(tmp.path("hand.u8bin"), u8);
    expect(Array.from(readBin(tmp.path("hand.u8bin")).data)).toEqual([10, 20, 30, 40, 250, 255]);
    writeFileSync(tmp.path("hand.i8bin"), u8);
    expect(Array.from(readBin(tmp.path("hand.i8bin")).data)).toEqual([10, 20, 30, 40, -6, -1]);
  });

  test("writeBin output matches the documented layout byte for byte", () => {
    const file = tmp.path("layout.fbin");
    writeBin(file, "float32", Float32Array.from([1, 2, 3, 4]), 2);
    const bytes = readFileSync(file);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(bytes.length).toBe(8 + 16);
    expect(view.getInt32(0, true)).toBe(2);
    expect(view.getInt32(4, true)).toBe(2);
    expect([0, 1, 2, 3].map((i) => view.getFloat32(8 + 4 * i, true))).toEqual([1, 2, 3, 4]);
  });

  test("a truncated header is rejected naming file and field", () => {
    const file = tmp.path("short.fbin");
    writeFileSync(file, new Uint8Array([1, 0, 0]));
    const err = caught(() => readBinHeader(file));
    expect(err).toBeInstanceOf(FormatError);
    const fe = err as FormatError;
    expect(fe.code).toBe("E_TRUNCATED");
    expect(fe.file).toBe(file);
    expect(fe.field).toBe("header");
    expect(fe.found).toBe("a file of 3 bytes");
    expect(fe.message).toContain(file);
  });

  test("a header that disagrees with the file size is rejected (truncated and too long)", () => {
    const file = tmp.path("cut.fbin");
    writeBin(file, "float32", new Float32Array(40), 4);
    const full = readFileSync(file);
    writeFileSync(file, full.subarray(0, full.length - 5));
    const cut = caught(() => readBin(file)) as FormatError;
    expect(cut).toBeInstanceOf(FormatError);
    expect(cut.code).toBe("E_TRUNCATED");
    expect(cut.field).toBe("file size");
    expect(cut.expected).toContain("168 bytes");
    expect(cut.found).toBe("163 bytes");
    expect(cut.message).toBe(`Cannot read ${file}: field 'file size' expected ${cut.expected}, found 163 bytes`);

    writeFileSync(file, Buffer.concat([full, Buffer.from([0])]));
    const long = caught(() => readBinRows(file, "float32", 0, 1)) as FormatError;
    expect(long).toBeInstanceOf(FormatError);
    expect(long.code).toBe("E_FORMAT");
    expect(long.found).toBe("169 bytes");
  });

  test("negative counts, zero dims, wrong extensions and bad ranges are rejected", () => {
    const bad = tmp.path("neg.u8bin");
    writeFileSync(bad, new Uint8Array([255, 255, 255, 255, 1, 0, 0, 0]));
    expect((caught(() => readBinHeader(bad)) as FormatError).field).toBe("npts");
    writeFileSync(bad, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0]));
    expect((caught(() => readBinHeader(bad)) as FormatError).field).toBe("dim");

    const u8 = tmp.path("really-bytes.fbin");
    writeFileSync(u8, new Uint8Array([2, 0, 0, 0, 2, 0, 0, 0, 1, 2, 3, 4]));
    const wrongExt = caught(() => readBinHeader(u8)) as FormatError;
    expect(wrongExt.field).toBe("file size");
    expect(wrongExt.found).toContain("wrong extension");
    expect(readBinHeader(u8, "uint8").npts).toBe(2);

    const plain = tmp.path("plain.bin");
    writeFileSync(plain, new Uint8Array([2, 0, 0, 0, 2, 0, 0, 0, 1, 2, 3, 4]));
    expect((caught(() => readBinHeader(plain)) as FormatError).field).toBe("type");
    expect(readBinHeader(plain, "int8").type).toBe("int8");

    const range = caught(() => readBinRows(u8, "uint8", 1, 2)) as FormatError;
    expect(range).toBeInstanceOf(FormatError);
    expect(range.field).toBe("rows");
  });

  test("a billion-point file: header and a range of rows are read without loading the file", () => {
    // A sparse file (no disk blocks): 10^9 rows × 128 uint8 = 128 GB, header at 0, one marked row near the end.
    const file = tmp.path("billion.u8bin");
    const npts = 1_000_000_000,
      dim = 128;
    const fd = openSync(file, "w");
    writeSync(fd, Uint8Array.from([0x00, 0xca, 0x9a, 0x3b, 128, 0, 0, 0]), 0, 8, 0);
    ftruncateSync(fd, 8 + npts * dim);
    const marked = npts - 3;
    writeSync(fd, new Uint8Array(dim).fill(7), 0, dim, 8 + marked * dim);
    closeSync(fd);
    const header = readBinHeader(file);
    expect([header.npts, header.dim, header.fileBytes]).toEqual([npts, dim, 8 + npts * dim]);
    const rows = readBinRows(file, "uint8", marked - 1, 3);
    expect(rows.length).toBe(3 * dim);
    expect(Array.from(rows.subarray(0, dim)).every((v) => v === 0)).toBe(true);
    expect(Array.from(rows.subarray(dim, 2 * dim)).every((v) => v === 7)).toBe(true);
  });

  test("BinWriter streams rows, patches npts, and shows nothing under the final name until commit", () => {
    const file = tmp.path("stream.u8bin");
    const writer = new BinWriter(file, "uint8", 4);
    writer.appendRows(Uint8Array.from([1, 2, 3, 4]));
    writer.appendRows(Uint8Array.from([5, 6, 7, 8, 9, 10, 11, 12]));
    expect(existsSync(file)).toBe(false);
    writer.commit();
    const reader = BinReader.open(file);
    expect(reader.header.npts).toBe(3);
    expect(Array.from(reader.readRows(1, 2))).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    reader.close();

    const aborted = tmp.path("aborted.u8bin");
    const w2 = new BinWriter(aborted, "uint8", 4);
    w2.appendRows(Uint8Array.from([1, 2, 3, 4]));
    w2.abort();
    expect(existsSync(aborted)).toBe(false);
    expect(readdirSync(tmp.dir).filter((n) => n.includes(".tmp-"))).toEqual([]);
  });

  test("a failed writeBin leaves neither the final file nor a temp file, and keeps an old file intact", () => {
    const file = tmp.path("keep.fbin");
    writeBin(file, "float32", Float32Array.from([1, 2]), 2);
    const before = readFileSync(file);
    expect(() => writeBin(file, "float32", Float32Array.from([1, 2, 3]), 2)).toThrow();
    expect(readFileSync(file)).toEqual(before);
    expect(readdirSync(tmp.dir).filter((n) => n.includes(".tmp-"))).toEqual([]);
  });
});
