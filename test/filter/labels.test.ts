// Label files (DiskANN's text formats), attributes, predicates and their evaluation.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { ConfigError, FormatError } from "../../src/errors.ts";
import { parseAttributeLines, readAttributeFile, writeAttributeFile } from "../../src/format/attribute-file.ts";
import {
  NO_START,
  formatLabelText,
  labelFilePaths,
  parseLabelText,
  readLabelFiles,
  writeLabelFiles,
} from "../../src/format/label-files.ts";
import { readRangeTruth, writeRangeTruth } from "../../src/format/range-truth.ts";
import { Bitset } from "../../src/filter/bitset.ts";
import { LabelStore } from "../../src/filter/label-store.ts";
import { openLabelStore } from "../../src/filter/open-labels.ts";
import { parseFilter, parseFilterText } from "../../src/filter/predicate.ts";
import { caught, makeTempDir } from "../format/tmp.ts";

const tmp = makeTempDir("labels");
afterAll(() => tmp.cleanup());

const TEXT = "red,small\nblue\n\nred\nred,blue,big\n";

describe("label text", () => {
  test("parses labels per point, numbers by first appearance, empty lines = no label", () => {
    const l = parseLabelText(TEXT, "l.txt");
    expect(l.npts).toBe(5);
    expect(l.names).toEqual(["red", "small", "blue", "big"]);
    expect(Array.from(l.offsets)).toEqual([0, 2, 3, 3, 4, 7]);
    expect(Array.from(l.ids)).toEqual([0, 1, 2, 0, 0, 2, 3]);
    expect(formatLabelText(l)).toBe(TEXT);
  });

  test("an empty label between commas names the file and line", () => {
    const err = caught(() => parseLabelText("a\nb,,c\n", "bad.txt")) as FormatError;
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toContain("bad.txt");
    expect(err.field).toBe("line 2");
  });

  test("DiskANN's files round-trip: numbers, map, start points, universal label", () => {
    const l = parseLabelText(TEXT, "l.txt", "any");
    const prefix = tmp.path("idx");
    writeLabelFiles(prefix, l, Uint32Array.from([0, 0, 1, 4, NO_START]));
    const paths = labelFilePaths(prefix);
    expect(paths.labels.endsWith("idx_disk.index_labels.txt")).toBe(true);
    const back = readLabelFiles(prefix, 5);
    expect(back.labels.names).toEqual(["red", "small", "blue", "big", "any"]);
    expect(Array.from(back.labels.ids)).toEqual(Array.from(l.ids));
    expect(back.labels.universal).toBe(4);
    expect(Array.from(back.startPoints)).toEqual([0, 0, 1, 4, NO_START]);
    expect(() => readLabelFiles(prefix, 6)).toThrow(FormatError);
  });

  test("a labels file from DiskANN with numbers and no map: numbers are the names", () => {
    const prefix = tmp.path("dann");
    writeFileSync(labelFilePaths(prefix).labels, "1,2\n2\n");
    const back = readLabelFiles(prefix, 2);
    expect(back.labels.names).toEqual(["0", "1", "2"]);
  });
});

describe("attributes", () => {
  test("JSON lines into columns, missing = NaN, round trip beside an index", () => {
    const a = parseAttributeLines('{"price": 10, "year": 2019}\n{"price": 55.5}\n{}\n', "a.jsonl");
    expect(a.npts).toBe(3);
    expect(Array.from(a.columns.get("price")!)).toEqual([10, 55.5, NaN]);
    writeAttributeFile(tmp.path("attr"), a);
    expect(readAttributeFile(tmp.path("attr"), 3)!.columns.get("year")![0]).toBe(2019);
  });

  test("a non-number names the line and field", () => {
    const err = caught(() => parseAttributeLines('{"price": 1}\n{"price": "cheap"}\n', "a.jsonl")) as FormatError;
    expect(err.field).toBe("line 2: price");
  });
});

describe("range truth", () => {
  test("round trip (DiskANN layout: nq, total, counts, ids)", () => {
    const t = { nq: 3, offsets: Uint32Array.from([0, 2, 2, 5]), ids: Uint32Array.from([4, 1, 7, 8, 9]), dists: null };
    writeRangeTruth(tmp.path("rt.bin"), t);
    const back = readRangeTruth(tmp.path("rt.bin"));
    expect(Array.from(back.offsets)).toEqual([0, 2, 2, 5]);
    expect(Array.from(back.ids)).toEqual([4, 1, 7, 8, 9]);
    expect(Bun.file(tmp.path("rt.bin")).size).toBe(8 + 3 * 4 + 5 * 4);
  });
});

describe("predicates", () => {
  test("bare labels and JSON lines", () => {
    expect(parseFilterText("shoes")).toEqual({ label: "shoes" });
    expect(parseFilterText('{"and": [{"label": "a"}, {"not": {"label": "b"}}]}')).toEqual({
      and: [{ label: "a" }, { not: { label: "b" } }],
    });
  });

  test("a malformed filter names its JSON path", () => {
    const e1 = caught(() => parseFilter({ and: [{ label: "a" }, { range: { price: { lt: "x" } } }] })) as ConfigError;
    expect(e1).toBeInstanceOf(ConfigError);
    expect(e1.path).toBe("filter.and[1].range.price.lt");
    const e2 = caught(() => parseFilter({ lable: "a" })) as ConfigError;
    expect(e2.message).toContain("exactly one of label, and, or, not, range");
    const e3 = caught(() => parseFilterText("{oops", "--filter")) as ConfigError;
    expect(e3.path).toBe("--filter");
  });
});

describe("label store", () => {
  const labels = parseLabelText(TEXT, "l.txt");
  const attrs = parseAttributeLines('{"price": 10}\n{"price": 60}\n{"price": 49.9}\n{}\n{"price": 50}\n', "a.jsonl");
  const store = new LabelStore(labels, attrs, null, 5);
  const ids = (f: unknown): number[] => Array.from(store.evaluate(parseFilter(f)).ids());

  test("label, and, or, not, range", () => {
    expect(ids({ label: "red" })).toEqual([0, 3, 4]);
    expect(ids({ and: [{ label: "red" }, { label: "blue" }] })).toEqual([4]);
    expect(ids({ or: [{ label: "small" }, { label: "blue" }] })).toEqual([0, 1, 4]);
    expect(ids({ not: { label: "red" } })).toEqual([1, 2]);
    expect(ids({ range: { price: { lt: 50 } } })).toEqual([0, 2]);
    expect(ids({ range: { price: { gte: 49.9, lte: 50 } } })).toEqual([2, 4]);
    expect(store.evaluate({ label: "red" }).selectivity).toBeCloseTo(0.6);
  });

  test("the universal label matches every label filter", () => {
    const u = parseLabelText("a\nany\nb\n", "u.txt", "any");
    const s = new LabelStore(u, null, null, 3);
    expect(Array.from(s.evaluate({ label: "a" }).ids())).toEqual([0, 1]);
    expect(Array.from(s.evaluate({ label: "b" }).ids())).toEqual([1, 2]);
  });

  test("unknown label, unknown attribute, and an index without labels: errors name the field", () => {
    const e1 = caught(() => store.evaluate({ and: [{ label: "red" }, { label: "green" }] })) as ConfigError;
    expect(e1.code).toBe("E_UNKNOWN_LABEL");
    expect(e1.path).toBe("filter.and[1].label");
    const e2 = caught(() => store.evaluate({ range: { weight: { lt: 1 } } })) as ConfigError;
    expect(e2.code).toBe("E_UNKNOWN_ATTRIBUTE");
    expect(e2.message).toContain('"price"');
    const none = openLabelStore(tmp.path("nothing-here"), 10);
    expect((caught(() => none.evaluate({ label: "x" })) as ConfigError).code).toBe("E_NO_LABELS");
  });

  test("dense labels are bitmaps, sparse ones posting lists (by size)", () => {
    const n = 10_000;
    const rows = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? "half" : "") + (i % 1000 === 0 ? ",rare" : "")).map(
      (r) => r.replace(/^,/, ""),
    );
    const s = new LabelStore(parseLabelText(rows.join("\n") + "\n", "x"), null, null, n);
    // half: 5,000 points as a 10,000-bit bitmap (1,252 bytes); rare: 10 points as 40 bytes of postings.
    expect(s.labelBytes).toBe(Math.ceil(n / 32) * 4 + 10 * 4);
    expect(s.evaluate({ label: "rare" }).count).toBe(10);
  });

  test("bitset operations keep the tail clear", () => {
    const b = Bitset.fromIds(37, Uint32Array.from([0, 36]));
    expect(b.not().count()).toBe(35);
    expect(Array.from(b.toIds())).toEqual([0, 36]);
  });
});
