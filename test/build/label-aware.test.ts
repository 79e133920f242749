// The label-aware build (label-stitch.ts + filtered-prune.ts): on 3,000 synthetic points with labels
// that cut across the geometry, every small label's points are connected among themselves (a search
// restricted to the label can reach them all from the label's start point), the plain graph's are
// not; degrees stay ≤ R; Filtered-DiskANN's prune keeps an edge a plain prune would drop.
import { afterAll, describe, expect, test } from "bun:test";
import { buildIndex } from "../../src/build/index.ts";
import { FilteredPruner, LabelLists } from "../../src/build/filtered-prune.ts";
import { createRowDistances } from "../../src/build/row-distances.ts";
import { makeSynthetic } from "../../src/data/synthetic.ts";
import { parseLabelText } from "../../src/format/label-files.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { makeTempDir } from "../format/tmp.ts";

const N = 3000;
const DIM = 16;
const tmp = makeTempDir("label-aware");
afterAll(() => tmp.cleanup());
const data = makeSynthetic({ n: N, dim: DIM, seed: 5, clusters: 6 });
const text =
  Array.from({ length: N }, (_, i) =>
    [i % 50 === 1 ? "a" : "", i % 20 === 3 ? "b" : ""].filter(Boolean).join(","),
  ).join("\n") + "\n";
const labels = parseLabelText(text, "labels");

/** Points of `label` reachable from its first point through edges between its own points. */
async function reachable(
  prefix: string,
  label: string,
): Promise<{ reached: number; total: number; maxDegree: number }> {
  const index = await DiskIndex.open(prefix, { backend: "pread", cacheNodes: N });
  try {
    const n = labels.names.indexOf(label);
    const members = new Set<number>();
    for (let p = 0; p < N; p++)
      for (let i = labels.offsets[p]!; i < labels.offsets[p + 1]!; i++) if (labels.ids[i] === n) members.add(p);
    const src = index.source;
    let maxDegree = 0;
    const nbrsOf = (id: number): number[] => {
      const h = src.cached(id);
      src.load(h, id);
      maxDegree = Math.max(maxDegree, src.degree);
      return Array.from(src.nbrs.subarray(src.nbrsOffset, src.nbrsOffset + src.degree));
    };
    const first = members.values().next().value!;
    const seen = new Set([first]);
    const stack = [first];
    while (stack.length > 0) {
      for (const nb of nbrsOf(stack.pop()!))
        if (members.has(nb) && !seen.has(nb)) {
          seen.add(nb);
          stack.push(nb);
        }
    }
    return { reached: seen.size, total: members.size, maxDegree };
  } finally {
    index.close();
  }
}

describe("label-aware build", () => {
  test("small labels become connected among their own points; degrees stay ≤ R", async () => {
    const R = 16;
    const plain = await buildIndex({
      data: data.base,
      dim: DIM,
      outPrefix: tmp.path("plain"),
      R,
      L: 32,
      pqBytes: 8,
      threads: 1,
    });
    const aware = await buildIndex({
      data: data.base,
      dim: DIM,
      outPrefix: tmp.path("aware"),
      R,
      L: 32,
      pqBytes: 8,
      threads: 1,
      labels,
      labelAware: true,
    });
    expect(plain.stitch).toBeNull();
    expect(aware.stitch!.labels).toBe(2);
    for (const label of ["a", "b"]) {
      const p = await reachable(tmp.path("plain"), label);
      const a = await reachable(tmp.path("aware"), label);
      expect(a.reached).toBe(a.total);
      expect(a.maxDegree).toBeLessThanOrEqual(R);
      expect(p.reached).toBeLessThan(p.total); // the plain graph does not connect a 2–5% random label
    }
  }, 120_000);

  test("a kept neighbour without the shared label does not prune the edge (Filtered-DiskANN's rule)", () => {
    // p = 0 and c = 2 share label x; k = 1 (closer to both) lacks it.
    const v = Float32Array.from([0, 0, 1, 0, 2, 0.1]);
    const l = parseLabelText("x\ny\nx\n", "l");
    const rd = createRowDistances(v, 2, "float32", "l2", 8, null);
    const pool = { ids: Uint32Array.from([1, 2]), dists: Float32Array.from([1, 4.01]), size: 2 };
    const out = new Uint32Array(2);
    expect(new FilteredPruner(rd, 8, false, new LabelLists(l)).prune(0, pool, 1.2, 2, out)).toBe(2);
    const l2 = parseLabelText("x\nx\nx\n", "l");
    expect(new FilteredPruner(rd, 8, false, new LabelLists(l2)).prune(0, pool, 1.2, 2, out)).toBe(1);
  });
});
