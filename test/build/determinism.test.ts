// One thread + a seed ⇒ byte-identical files; another seed ⇒ different ones (so the comparison can fail).
import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { buildIndex } from "../../src/build/build-index.ts";
import { parseSidecar } from "../../src/format/index-sidecar.ts";
import { makeSynthetic } from "../../src/data/synthetic.ts";
import { makeTempDir } from "../format/tmp.ts";

const tmp = makeTempDir("build-det");
afterAll(() => tmp.cleanup());
const { base } = makeSynthetic({ n: 3000, dim: 48, seed: 11 });
const BINARY = [
  "_disk.index",
  "_pq_pivots.bin",
  "_pq_compressed.bin",
  "_mem.index",
  "_mem.index.data",
  "_mem.index.tags",
];

async function build(name: string, seed: number): Promise<string> {
  const prefix = tmp.path(name);
  await buildIndex({ data: base, dim: 48, outPrefix: prefix, R: 24, L: 40, pqBytes: 12, threads: 1, seed });
  return prefix;
}

test("same seed and one thread give identical files", async () => {
  const a = await build("a", 5);
  const b = await build("b", 5);
  for (const suffix of BINARY) expect(readFileSync(a + suffix).equals(readFileSync(b + suffix))).toBe(true);
  // The sidecar differs only in what is measured (time, memory, date).
  const strip = (p: string): Record<string, unknown> => {
    const fields: Record<string, unknown> = { ...parseSidecar(readFileSync(p + "_ringann.json", "utf8"), p) };
    for (const measured of ["buildSeconds", "peakRssMb", "createdAt"]) delete fields[measured];
    return fields;
  };
  expect(strip(a)).toEqual(strip(b));

  const c = await build("c", 6);
  expect(readFileSync(a + "_disk.index").equals(readFileSync(c + "_disk.index"))).toBe(false);
  expect(readFileSync(a + "_mem.index.tags").equals(readFileSync(c + "_mem.index.tags"))).toBe(false);
}, 60_000);
