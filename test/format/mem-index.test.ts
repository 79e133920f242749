import { describe, expect, test } from "bun:test";
import { PIPEANN } from "../fixtures.ts";
import { readFileSync } from "node:fs";
import { FormatError } from "../../src/errors.ts";
import {
  encodeMemIndexGraph,
  encodeMemIndexTags,
  parseMemIndexGraph,
  parseMemIndexTags,
} from "../../src/format/mem-index.ts";

const DIR = PIPEANN.dir + "/";

describe("PipeANN-written entry graph", () => {
  const bytes = new Uint8Array(readFileSync(DIR + "syn10k_mem.index"));
  const dataRows = new DataView(readFileSync(DIR + "syn10k_mem.index.data").buffer).getInt32(0, true);
  const g = parseMemIndexGraph(bytes, "syn10k_mem.index", dataRows);

  test("graph: node count matches the .data rows, entry and degrees in range", () => {
    expect(g.npts).toBe(dataRows);
    expect(g.entryPoint).toBeLessThan(g.npts);
    expect(g.numFrozen).toBe(0);
    let maxDeg = 0;
    for (let i = 0; i < g.npts; i++) maxDeg = Math.max(maxDeg, g.offsets[i + 1]! - g.offsets[i]!);
    expect(maxDeg).toBe(g.maxDegree);
  });

  test("re-encoding reproduces the file byte for byte", () => {
    const again = encodeMemIndexGraph(g);
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });

  test("tags: one disk id per sample, each < 10,000, round-trip", () => {
    const tb = new Uint8Array(readFileSync(DIR + "syn10k_mem.index.tags"));
    const tags = parseMemIndexTags(tb, "tags", { npts: g.npts, diskNpts: 10000 });
    expect(tags.length).toBe(g.npts);
    expect(Buffer.from(encodeMemIndexTags(tags)).equals(Buffer.from(tb))).toBe(true);
    expect(() => parseMemIndexTags(tb, "tags", { diskNpts: tags[3]! })).toThrow(FormatError);
  });

  test("corruption: wrong file_size, out-of-range neighbour, wrong node count", () => {
    const a = bytes.slice();
    a[0] = a[0]! + 4;
    expect(() => parseMemIndexGraph(a, "a")).toThrow(/file_size/);
    const b = bytes.slice();
    new DataView(b.buffer).setUint32(28, 5000, true); // node 0's first neighbour
    expect(() => parseMemIndexGraph(b, "b")).toThrow(/node 0 nbrs\[0\]/);
    expect(() => parseMemIndexGraph(bytes, "c", dataRows + 1)).toThrow(/node count/);
  });
});
