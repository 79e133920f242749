import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { FormatError } from "../../src/errors.ts";
import { readTruth, readTruthHeader, truthRow, writeTruth } from "../../src/format/truth.ts";
import { caught, makeTempDir } from "./tmp.ts";

const tmp = makeTempDir("truth");
afterAll(tmp.cleanup);

function handWritten(
  nq: number,
  k: number,
  blocks: 1 | 2 | 3,
): { bytes: Uint8Array; ids: number[]; dists: number[]; tags: number[] } {
  const n = nq * k;
  const bytes = new Uint8Array(8 + n * 4 * blocks);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, nq, true);
  view.setInt32(4, k, true);
  const ids = Array.from({ length: n }, (_, i) => (i * 7919) % 100003);
  const dists = Array.from({ length: n }, (_, i) => i * 0.5);
  const tags = Array.from({ length: n }, (_, i) => 4_000_000_000 + i);
  ids.forEach((v, i) => view.setUint32(8 + 4 * i, v, true));
  if (blocks >= 2) dists.forEach((v, i) => view.setFloat32(8 + 4 * n + 4 * i, v, true));
  if (blocks === 3) tags.forEach((v, i) => view.setUint32(8 + 8 * n + 4 * i, v, true));
  return { bytes, ids, dists, tags };
}

describe("ground-truth files", () => {
  test("round trip with and without distances", () => {
    const file = tmp.path("gt.bin");
    const ids = Uint32Array.from([3, 1, 2, 9, 8, 4_294_967_295]);
    const dists = Float32Array.from([0, 0.5, 1, 2, 2, 3]);
    writeTruth(file, { nq: 2, k: 3, ids, dists });
    const back = readTruth(file);
    expect(back.nq).toBe(2);
    expect(back.k).toBe(3);
    expect(Array.from(back.ids)).toEqual(Array.from(ids));
    expect(Array.from(back.dists!)).toEqual(Array.from(dists));
    expect(Array.from(truthRow(back, 1).ids)).toEqual([9, 8, 4_294_967_295]);

    writeTruth(file, { nq: 2, k: 3, ids, dists: null });
    expect(readTruthHeader(file).variant).toBe("ids");
    const idsOnly = readTruth(file);
    expect(idsOnly.dists).toBeNull();
    expect(Array.from(idsOnly.ids)).toEqual(Array.from(ids));
    expect(readFileSync(file).length).toBe(8 + 6 * 4);
  });

  for (const blocks of [1, 2, 3] as const) {
    test(`hand-written file with ${blocks} block(s) is told apart by size`, () => {
      const { bytes, ids, dists, tags } = handWritten(3, 4, blocks);
      const file = tmp.path(`hand${blocks}.bin`);
      writeFileSync(file, bytes);
      const t = readTruth(file);
      expect(t.nq).toBe(3);
      expect(t.k).toBe(4);
      expect(Array.from(t.ids)).toEqual(ids);
      if (blocks === 1) expect(t.dists).toBeNull();
      else expect(Array.from(t.dists!)).toEqual(dists);
      if (blocks === 3) expect(Array.from(t.tags!)).toEqual(tags);
      else expect(t.tags ?? null).toBeNull();
    });
  }

  test("sizes that fit no variant are rejected naming the sizes that would fit", () => {
    const { bytes } = handWritten(3, 4, 2);
    const file = tmp.path("bad.bin");
    writeFileSync(file, bytes.subarray(0, bytes.length - 4));
    const err = caught(() => readTruth(file)) as FormatError;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.file).toBe(file);
    expect(err.field).toBe("file size");
    expect(err.expected).toBe("56 (ids), 104 (ids+dists) or 152 (ids+dists+tags) bytes for nq 3 × K 4");
    expect(err.found).toBe("100 bytes");
    expect(err.code).toBe("E_FORMAT");

    writeFileSync(file, bytes.subarray(0, 20));
    expect((caught(() => readTruth(file)) as FormatError).code).toBe("E_TRUNCATED");
    writeFileSync(file, bytes.subarray(0, 6));
    const header = caught(() => readTruth(file)) as FormatError;
    expect(header.field).toBe("header");
    expect(header.code).toBe("E_TRUNCATED");

    const zeroK = new Uint8Array(8);
    zeroK[0] = 1;
    writeFileSync(file, zeroK);
    expect((caught(() => readTruth(file)) as FormatError).field).toBe("K");
  });
});
