// `ringann gt` on files: streamed base chunks far smaller than the base, texmex and idx inputs.
import { afterAll, describe, expect, test } from "bun:test";
import { command as gt } from "../../src/cli/cmd-gt.ts";
import { FormatError, UsageError } from "../../src/errors.ts";
import { writeBin } from "../../src/format/bin.ts";
import { writeIdx } from "../../src/format/idx.ts";
import { writeTexmex } from "../../src/format/texmex.ts";
import { readTruth } from "../../src/format/truth.ts";
import { makeTempDir } from "../format/tmp.ts";
import { naiveTruth } from "./naive.ts";

const tmp = makeTempDir("gt-cmd");
afterAll(tmp.cleanup);

describe("ringann gt", () => {
  const dim = 20,
    n = 3000,
    nq = 17;
  const base = Uint8Array.from({ length: n * dim }, (_, i) => ((i * 2654435761) >>> 24) & 7);
  const queries = Uint8Array.from({ length: nq * dim }, (_, i) => ((i * 40503 + 7) >>> 3) & 7);
  const want = naiveTruth(base, queries, dim, 50, "l2");

  test("bvecs base streamed in ~10 KB chunks, u8bin queries → DiskANN truth equal to brute force", async () => {
    writeTexmex(tmp.path("base.bvecs"), "bvecs", base, dim);
    writeBin(tmp.path("q.u8bin"), "uint8", queries, dim);
    const code = await gt.run([
      "--base",
      tmp.path("base.bvecs"),
      "--queries",
      tmp.path("q.u8bin"),
      "--out",
      tmp.path("gt.bin"),
      "--k",
      "50",
      "--chunk-mb",
      "0.01",
      "--threads",
      "2",
      "--quiet",
    ]);
    expect(code).toBe(0);
    const truth = readTruth(tmp.path("gt.bin"));
    expect([truth.nq, truth.k]).toEqual([nq, 50]);
    for (let q = 0; q < nq; q++) {
      expect(Array.from(truth.ids.subarray(q * 50, (q + 1) * 50))).toEqual(want.ids[q]!);
      expect(Array.from(truth.dists!.subarray(q * 50, (q + 1) * 50))).toEqual(want.dists[q]!);
    }
  });

  test("idx base and --queries-limit", async () => {
    writeIdx(tmp.path("base-idx3-ubyte.gz"), "uint8", [n, 4, 5], base);
    writeBin(tmp.path("q.u8bin"), "uint8", queries, dim);
    expect(
      await gt.run([
        "--base",
        tmp.path("base-idx3-ubyte.gz"),
        "--queries",
        tmp.path("q.u8bin"),
        "--out",
        tmp.path("gt5.bin"),
        "--k",
        "50",
        "--queries-limit",
        "5",
        "--quiet",
      ]),
    ).toBe(0);
    const truth = readTruth(tmp.path("gt5.bin"));
    expect(truth.nq).toBe(5);
    for (let q = 0; q < 5; q++) expect(Array.from(truth.ids.subarray(q * 50, (q + 1) * 50))).toEqual(want.ids[q]!);
  });

  test("mismatched dims and k larger than the base are rejected", async () => {
    writeBin(tmp.path("small.u8bin"), "uint8", base.subarray(0, 10 * dim), dim);
    writeBin(tmp.path("q7.u8bin"), "uint8", new Uint8Array(7 * 3), 7);
    await expect(
      gt.run([
        "--base",
        tmp.path("small.u8bin"),
        "--queries",
        tmp.path("q.u8bin"),
        "--out",
        tmp.path("x.bin"),
        "--quiet",
      ]),
    ).rejects.toBeInstanceOf(UsageError);
    await expect(
      gt.run([
        "--base",
        tmp.path("small.u8bin"),
        "--queries",
        tmp.path("q7.u8bin"),
        "--out",
        tmp.path("x.bin"),
        "--k",
        "5",
        "--quiet",
      ]),
    ).rejects.toBeInstanceOf(FormatError);
  });
});
