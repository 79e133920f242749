import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { command as convert } from "../../src/cli/cmd-convert.ts";
import { FormatError } from "../../src/errors.ts";
import { readBin, writeBin } from "../../src/format/bin.ts";
import { convertTruthFile, convertVectorFile } from "../../src/format/convert.ts";
import { readIdx } from "../../src/format/idx.ts";
import { readTexmex, writeTexmex } from "../../src/format/texmex.ts";
import { readTruth, writeTruth } from "../../src/format/truth.ts";
import { caught, makeTempDir } from "./tmp.ts";
import { fashionMnistFile } from "../fixtures.ts";

const tmp = makeTempDir("convert");
afterAll(tmp.cleanup);
const FMNIST_QUERIES = fashionMnistFile("t10k-images-idx3-ubyte.gz");

describe("convert", () => {
  test("fvecs → fbin → fvecs is byte-identical", () => {
    const data = Float32Array.from({ length: 50 * 7 }, (_, i) => Math.cos(i) * 3);
    writeTexmex(tmp.path("a.fvecs"), "fvecs", data, 7);
    convertVectorFile(tmp.path("a.fvecs"), tmp.path("a.fbin"));
    const bin = readBin(tmp.path("a.fbin"));
    expect([bin.npts, bin.dim]).toEqual([50, 7]);
    expect(Array.from(bin.data)).toEqual(Array.from(data));
    convertVectorFile(tmp.path("a.fbin"), tmp.path("b.fvecs"));
    expect(readFileSync(tmp.path("b.fvecs"))).toEqual(readFileSync(tmp.path("a.fvecs")));
  });

  test("the real Fashion-MNIST idx file → u8bin, whole and limited, through the CLI", async () => {
    const { data } = readIdx(FMNIST_QUERIES);
    expect(await convert.run([FMNIST_QUERIES, tmp.path("q.u8bin"), "--quiet"])).toBe(0);
    const back = readBin(tmp.path("q.u8bin"));
    expect([back.npts, back.dim, back.type]).toEqual([10000, 784, "uint8"]);
    expect(Buffer.from(back.data.buffer).equals(Buffer.from(data.buffer))).toBe(true);
    expect(await convert.run([FMNIST_QUERIES, tmp.path("q100.fbin"), "--limit", "100", "--quiet"])).toBe(0);
    const f = readBin(tmp.path("q100.fbin"));
    expect([f.npts, f.type]).toEqual([100, "float32"]);
    expect(Array.from(f.data)).toEqual(Array.from(data.subarray(0, 100 * 784)));
  });

  test("u8bin → bvecs → idx.gz → i8bin keeps values that fit, rejects the first that does not", () => {
    const u8 = Uint8Array.from({ length: 30 * 4 }, (_, i) => (i * 5) % 128);
    writeBin(tmp.path("c.u8bin"), "uint8", u8, 4);
    convertVectorFile(tmp.path("c.u8bin"), tmp.path("c.bvecs"));
    expect(Array.from(readTexmex(tmp.path("c.bvecs")).data)).toEqual(Array.from(u8));
    convertVectorFile(tmp.path("c.bvecs"), tmp.path("c-idx.gz"));
    expect(Array.from(readIdx(tmp.path("c-idx.gz")).data)).toEqual(Array.from(u8));
    convertVectorFile(tmp.path("c-idx.gz"), tmp.path("c.i8bin"));
    expect(Array.from(readBin(tmp.path("c.i8bin")).data)).toEqual(Array.from(u8));

    u8[4 * 17 + 2] = 200;
    writeBin(tmp.path("c.u8bin"), "uint8", u8, 4);
    const err = caught(() => convertVectorFile(tmp.path("c.u8bin"), tmp.path("bad.i8bin"))) as FormatError;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.field).toBe("value of vector 17, dimension 2");
    expect(err.expected).toBe("an integer in -128..127 (int8 output)");
    expect(err.found).toBe("200");
    expect(existsSync(tmp.path("bad.i8bin"))).toBe(false);
    expect(readdirSync(tmp.dir).filter((n) => n.includes(".tmp-"))).toEqual([]);

    writeBin(tmp.path("frac.fbin"), "float32", Float32Array.from([1, 2.5]), 2);
    expect((caught(() => convertVectorFile(tmp.path("frac.fbin"), tmp.path("frac.u8bin"))) as FormatError).found).toBe(
      "2.5",
    );
  });

  test("ground truth .ivecs ↔ DiskANN truth .bin", async () => {
    const ids = Uint32Array.from([5, 3, 9, 1, 0, 2]);
    writeTruth(tmp.path("gt.bin"), { nq: 2, k: 3, ids, dists: Float32Array.from([1, 2, 3, 4, 5, 6]) });
    expect(convertTruthFile(tmp.path("gt.bin"), tmp.path("gt.ivecs"))).toEqual({ nq: 2, k: 3 });
    expect(Array.from(readTexmex(tmp.path("gt.ivecs")).data)).toEqual(Array.from(ids));
    expect(await convert.run([tmp.path("gt.ivecs"), tmp.path("gt2.bin"), "--truth"])).toBe(0);
    const back = readTruth(tmp.path("gt2.bin"));
    expect(back.dists).toBeNull();
    expect(Array.from(back.ids)).toEqual(Array.from(ids));
  });
});
