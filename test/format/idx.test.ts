import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { FormatError } from "../../src/errors.ts";
import { readIdx, readIdxHeader, writeIdx } from "../../src/format/idx.ts";
import { caught, makeTempDir } from "./tmp.ts";
import { fashionMnistFile } from "../fixtures.ts";

const tmp = makeTempDir("idx");
afterAll(tmp.cleanup);

describe("MNIST idx files", () => {
  test("round trip uint8 / int8 / float32, gzip and plain", () => {
    const u8 = Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 13) & 255);
    for (const gzip of [true, false]) {
      const file = tmp.path(`u8-${gzip}.idx${gzip ? ".gz" : ""}`);
      writeIdx(file, "uint8", [5, 4, 3], u8, { gzip });
      const { header, data } = readIdx(file);
      expect(header.dims).toEqual([5, 4, 3]);
      expect([header.npts, header.dim, header.type, header.gzip]).toEqual([5, 12, "uint8", gzip]);
      expect(Array.from(data)).toEqual(Array.from(u8));
    }
    const i8 = Int8Array.from([-128, 127, 0, -1]);
    writeIdx(tmp.path("i8.gz"), "int8", [4], i8);
    expect(Array.from(readIdx(tmp.path("i8.gz")).data)).toEqual([-128, 127, 0, -1]);
    const f = Float32Array.from([1.5, -2.25, 1e20, 0]);
    writeIdx(tmp.path("f.gz"), "float32", [2, 2], f);
    const back = readIdx(tmp.path("f.gz"));
    expect(back.header.dim).toBe(2);
    expect(Array.from(back.data)).toEqual(Array.from(f));
  });

  test("a file written byte by byte from the documented layout (big-endian, gzip) is read correctly", () => {
    // magic 0x00000803, int32 BE count, rows, cols, then uint8 pixels
    const raw = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 10, 20, 30, 40, 50, 255]);
    const file = tmp.path("hand-idx3-ubyte.gz");
    writeFileSync(file, gzipSync(raw));
    const { header, data } = readIdx(file);
    expect(header.dims).toEqual([2, 1, 3]);
    expect(header.npts).toBe(2);
    expect(header.dim).toBe(3);
    expect(Array.from(data)).toEqual([10, 20, 30, 40, 50, 255]);
    writeFileSync(tmp.path("hand-idx3-ubyte"), raw);
    expect(Array.from(readIdx(tmp.path("hand-idx3-ubyte")).data)).toEqual([10, 20, 30, 40, 50, 255]);
  });

  test("truncated and inconsistent files are rejected naming the field", () => {
    const raw = new Uint8Array(16 + 10 * 28 * 28);
    raw.set([0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28]);
    for (let i = 16; i < raw.length; i++) raw[i] = (i * 7) & 255;
    const file = tmp.path("cut.gz");
    const gz = gzipSync(raw);
    writeFileSync(file, gz.subarray(0, gz.length - 100));
    const cut = caught(() => readIdx(file)) as FormatError;
    expect(cut).toBeInstanceOf(FormatError);
    expect(cut.file).toBe(file);
    expect(["gzip size", "gzip stream"]).toContain(cut.field);

    // The header promises 11 images but the stream holds 10.
    const lying = Uint8Array.from(raw);
    lying[7] = 11;
    writeFileSync(file, gzipSync(lying));
    const lie = caught(() => readIdxHeader(file)) as FormatError;
    expect(lie.field).toBe("gzip size");
    expect(lie.code).toBe("E_TRUNCATED");
    expect(lie.expected).toContain(`${16 + 11 * 784} uncompressed bytes`);
    expect(lie.found).toContain(`${raw.length}`);

    writeFileSync(file, lying);
    const plain = caught(() => readIdx(file)) as FormatError;
    expect(plain.field).toBe("file size");
    expect(plain.found).toBe(`${raw.length} bytes`);

    const badMagic = Uint8Array.from(raw);
    badMagic[2] = 0x42;
    writeFileSync(file, gzipSync(badMagic));
    const magic = caught(() => readIdx(file)) as FormatError;
    expect(magic.field).toBe("magic");
    expect(magic.found).toBe("0x00004203");
  });

  test("reads the real Fashion-MNIST test images", () => {
    const header = readIdxHeader(fashionMnistFile("t10k-images-idx3-ubyte.gz"));
    expect(header.dims).toEqual([10000, 28, 28]);
    const labels = readIdx(fashionMnistFile("t10k-labels-idx1-ubyte.gz"));
    expect(labels.header.npts).toBe(10000);
    expect(labels.header.dim).toBe(1);
    expect(Math.max(...labels.data)).toBe(9);
    expect(readFileSync(fashionMnistFile("t10k-images-idx3-ubyte.gz")).length).toBeGreaterThan(1000);
  });
});
