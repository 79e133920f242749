// The label-aware build's guarantees (label-stitch.ts, label-edges.ts, label-repair.ts) on a seeded
// set of 2,000 points with Zipf labels drawn independently of the geometry (60 labels, from ~50% of
// the points down to a handful): every label's points are reachable from the label's start point over
// edges between its own points — on a graph with free slots and on a full-degree one (saturated: every
// list full, so label edges must give up plain ones) — degrees stay ≤ R, and unfiltered search on the
// label-aware index returns exactly what it returns on the plain index (it stops at the marker); the
// proposals are the same whether one thread or two Workers make them.
import { afterAll, describe, expect, test } from "bun:test";
import { LabelLists } from "../../src/build/filtered-prune.ts";
import { buildIndex } from "../../src/build/index.ts";
import { makeProposalJobs, proposeAll } from "../../src/build/label-proposal-jobs.ts";
import { NO_PROPOSAL } from "../../src/build/label-proposals.ts";
import { buildVamanaGraph } from "../../src/build/vamana-build.ts";
import { SeededRandom } from "../../src/build/random.ts";
import { makeSynthetic } from "../../src/data/synthetic.ts";
import { labelStartPoints } from "../../src/filter/start-points.ts";
import { parseLabelText } from "../../src/format/label-files.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { makeTempDir } from "../format/tmp.ts";

const N = 2000;
const DIM = 16;
const LABELS = 60;
const tmp = makeTempDir("label-connectivity");
afterAll(() => tmp.cleanup());
const data = makeSynthetic({ n: N, dim: DIM, seed: 11, clusters: 8, queries: 100 });
const rng = new SeededRandom(12);
const text = `${Array.from({ length: N }, () => {
  const row: string[] = [];
  for (let i = 1; i <= LABELS; i++) if (rng.nextFloat() < 0.5 / i) row.push(`z${i}`);
  return row.join(",");
}).join("\n")}\n`;
const labels = parseLabelText(text, "labels");
const starts = labelStartPoints(labels, data.base, DIM);

/** Every node's neighbour list, read back from the written disk index. */
async function readLists(prefix: string): Promise<number[][]> {
  const index = await DiskIndex.open(prefix, { backend: "pread", cacheNodes: N });
  try {
    const src = index.source;
    return Array.from({ length: N }, (_, id) => {
      src.load(src.cached(id), id);
      return Array.from(src.nbrs.subarray(src.nbrsOffset, src.nbrsOffset + src.degree));
    });
  } finally {
    index.close();
  }
}

/** For each label with ≥ 2 points: [points reached from its start point within the label, points]. */
function labelReach(lists: number[][]): [number, number][] {
  const out: [number, number][] = [];
  for (let label = 0; label < labels.names.length; label++) {
    const members = new Set<number>();
    for (let p = 0; p < N; p++)
      for (let i = labels.offsets[p]!; i < labels.offsets[p + 1]!; i++) if (labels.ids[i] === label) members.add(p);
    if (members.size < 2) continue;
    const seen = new Set([starts[label]!]);
    const stack = [starts[label]!];
    while (stack.length > 0)
      for (const nb of lists[stack.pop()!]!)
        if (members.has(nb) && !seen.has(nb)) {
          seen.add(nb);
          stack.push(nb);
        }
    out.push([seen.size, members.size]);
  }
  return out;
}

async function build(name: string, R: number, labelAware: boolean, saturate = false) {
  return buildIndex({
    data: data.base,
    dim: DIM,
    outPrefix: tmp.path(name),
    R,
    L: 48,
    pqBytes: 8,
    threads: 1,
    saturate,
    ...(labelAware ? { labels, labelAware } : {}),
  });
}

describe("label-aware build: connectivity and unfiltered search", () => {
  test("the seeded set has rare labels, and the plain graph leaves some of them disconnected", async () => {
    const sizes = labelReach(await readLists((await build("plain24", 24, false)).prefix));
    expect(sizes.length).toBeGreaterThan(40);
    expect(Math.min(...sizes.map(([, n]) => n))).toBeLessThan(20);
    expect(sizes.filter(([reached, n]) => reached < n).length).toBeGreaterThan(5);
  }, 120_000);

  for (const [R, saturate] of [
    [24, false],
    [12, true],
  ] as const) {
    test(`R ${R}${saturate ? ", full lists (saturated)" : ""}: every label connected from its start point; degree ≤ R`, async () => {
      const built = await build(`aware${R}${saturate ? "s" : ""}`, R, true, saturate);
      const lists = await readLists(built.prefix);
      for (const [reached, n] of labelReach(lists)) expect(reached).toBe(n);
      expect(Math.max(...lists.map((l) => l.length))).toBeLessThanOrEqual(R);
      // The marker (a node's own id) appears at most once per list, and only where label edges follow it.
      for (let p = 0; p < N; p++) {
        const at = lists[p]!.indexOf(p);
        expect(lists[p]!.lastIndexOf(p)).toBe(at);
        if (at >= 0) expect(at).toBeLessThan(lists[p]!.length - 1);
      }
      const st = built.stitch!;
      if (saturate) {
        expect(st.edgesPlaced).toBe(0); // no free slot anywhere
        expect(st.repairEdges).toBeGreaterThan(0);
        expect(st.plainDisplaced).toBeGreaterThan(0);
      } else {
        expect(st.edgesPlaced).toBeGreaterThan(N);
      }
    }, 120_000);
  }

  test("labels too common to stitch: no proposals, and the repair still connects them", async () => {
    const common = parseLabelText(`${Array.from({ length: N }, (_, i) => (i % 2 ? "a,b" : "a")).join("\n")}\n`, "c");
    const built = await buildIndex({
      data: data.base,
      dim: DIM,
      outPrefix: tmp.path("common"),
      R: 12,
      L: 48,
      pqBytes: 8,
      threads: 1,
      labels: common,
      labelAware: true,
    });
    expect(built.stitch!.labels).toBe(0);
    expect(built.stitch!.edgesProposed).toBe(0);
    const lists = await readLists(built.prefix);
    const s = labelStartPoints(common, data.base, DIM);
    for (let label = 0; label < 2; label++) {
      const isMember = (p: number) => label === 0 || p % 2 === 1;
      const seen = new Set([s[label]!]);
      const stack = [s[label]!];
      while (stack.length > 0)
        for (const nb of lists[stack.pop()!]!)
          if (isMember(nb) && !seen.has(nb)) {
            seen.add(nb);
            stack.push(nb);
          }
      expect(seen.size).toBe(label === 0 ? N : N / 2);
    }
  }, 120_000);

  test("unfiltered search on the label-aware index is the plain index's search (the marker ends its edges)", async () => {
    const aware = await build("aware32", 32, true);
    const plain = await build("plain32", 32, false);
    expect(aware.stitch!.plainDisplaced).toBe(0);
    expect(aware.stitch!.edgesPlaced).toBeGreaterThan(N);
    const a = await DiskIndex.open(aware.prefix, { backend: "pread" });
    const p = await DiskIndex.open(plain.prefix, { backend: "pread" });
    try {
      for (let q = 0; q < 100; q++) {
        const ra = a.search(data.queries, { k: 10, L: 16, mode: "beam", width: 2 }, q * DIM);
        const rp = p.search(data.queries, { k: 10, L: 16, mode: "beam", width: 2 }, q * DIM);
        expect(Array.from(ra.ids)).toEqual(Array.from(rp.ids));
        expect(ra.stats.reads).toBe(rp.stats.reads);
      }
    } finally {
      a.close();
      p.close();
    }
  }, 120_000);
});

describe("label proposals over threads", () => {
  test("2 Workers write exactly what the calling thread writes", async () => {
    const graph = await buildVamanaGraph({
      vectors: data.base,
      npts: N,
      dim: DIM,
      type: "float32",
      metric: "l2",
      R: 24,
      L: 48,
      alpha: 1.2,
      threads: 1,
      seed: 3,
    });
    const lists = new LabelLists(labels);
    // Small labels take the exact path, large ones two hops plus a sample (exactMaxPoints 100).
    const chosen = lists.postings.filter((m) => m.length >= 2 && m.length <= 0.2 * N);
    const settings = { alpha: 1.2, perPoint: 6, exactMaxPoints: 100, maxCandidates: 64 };
    const outs: Uint32Array[] = [];
    for (const threads of [1, 2]) {
      const jobs = makeProposalJobs(chosen, settings.perPoint);
      await proposeAll(jobs, {
        graph: graph.graph,
        vectors: data.base,
        dim: DIM,
        type: "float32",
        metric: "l2",
        kernels: null,
        settings,
        threads,
      });
      outs.push(jobs.out.slice());
    }
    expect(chosen.some((m) => m.length > 100)).toBe(true);
    expect(outs[0]!.filter((c) => c !== NO_PROPOSAL).length).toBeGreaterThan(N);
    expect(Array.from(outs[1]!)).toEqual(Array.from(outs[0]!));
  }, 120_000);
});
