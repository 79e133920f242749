// The refinement passes after the greedy page packing (src/build/page-refine.ts) on real graphs:
// the graph PipeANN wrote (test/fixtures/pipeann-syn10k) and small graphs whose best layout is known.
// The order stays a permutation with full sectors, the objective it tracks is the one recomputed
// from scratch, it never falls, and the overlap ends above the packing's.
import { describe, expect, test } from "bun:test";
import { parseDiskIndexHeader } from "../../src/format/disk-index.ts";
import { FileRange } from "../../src/format/file-range.ts";
import { SECTOR_BYTES } from "../../src/format/sector.ts";
import { type PageOrder, type SlotGraph, overlapRatios, pageOrder } from "../../src/build/page-order.ts";
import { refinePageOrder, sectorObjective } from "../../src/build/page-refine.ts";
import { readGraph } from "../../src/build/relayout.ts";
import { inEdges } from "../../src/build/in-edges.ts";
import { PIPEANN } from "../fixtures.ts";

function fixtureGraph(): { graph: SlotGraph; C: number } {
  const file = `${PIPEANN.prefix}_disk.index`;
  const range = FileRange.open(file);
  try {
    const meta = parseDiskIndexHeader(range.read(0, SECTOR_BYTES), file, range.sizeBytes, "float32");
    return { graph: readGraph(range, meta), C: meta.nodesPerSector };
  } finally {
    range.close();
  }
}

function expectPermutation(order: PageOrder, npts: number): void {
  const seen = new Uint8Array(npts);
  for (let p = 0; p < npts; p++) {
    const u = order.oldOfNew[p]!;
    expect(order.newOfOld[u]).toBe(p);
    expect(seen[u]).toBe(0);
    seen[u] = 1;
  }
}

describe("page order refinement", () => {
  test("the reverse graph holds every edge once, with its rank in the source's list", () => {
    const { graph } = fixtureGraph();
    const ins = inEdges(graph);
    let edges = 0;
    for (let u = 0; u < graph.npts; u++) edges += graph.degree[u]!;
    expect(ins.start[graph.npts]).toBe(edges);
    let maxIn = 0;
    for (let v = 0; v < graph.npts; v++) {
      maxIn = Math.max(maxIn, ins.start[v + 1]! - ins.start[v]!);
      for (let e = ins.start[v]!; e < ins.start[v + 1]!; e++) {
        expect(graph.nbrs[ins.src[e]! * graph.slots + ins.rank[e]!]).toBe(v);
        expect(ins.rank[e]!).toBeLessThan(graph.degree[ins.src[e]!]!);
      }
    }
    expect(ins.maxIn).toBe(maxIn);
  });

  test("PipeANN fixture: overlap rises above the greedy packing's, objective tracked exactly", () => {
    const { graph, C } = fixtureGraph();
    expect(C).toBe(6);
    const order = pageOrder(graph, C);
    const packed = overlapRatios(graph, order, C);
    const before = sectorObjective(graph, order, C);
    const r = refinePageOrder(graph, order, C, { maxPasses: 6 });
    expect(r.objectiveBefore).toBe(before);
    expectPermutation(order, graph.npts);
    expect(r.passes.length).toBeGreaterThan(0);
    let last = before;
    for (const p of r.passes) {
      expect(p.objective).toBeGreaterThanOrEqual(last);
      last = p.objective;
    }
    expect(r.passes[0]!.swaps).toBeGreaterThan(0);
    // The objective the passes kept up to date is the one a fresh count gives.
    expect(sectorObjective(graph, order, C)).toBe(last);
    const refined = overlapRatios(graph, order, C);
    expect(refined.outNeighbours).toBeGreaterThan(packed.outNeighbours * 1.02);
    expect(refined.sectorMates).toBeGreaterThan(packed.sectorMates * 1.02);
  });

  test("mixed edge weights (R + R − rank) are tracked exactly too", () => {
    const { graph, C } = fixtureGraph();
    const order = pageOrder(graph, C, undefined, inEdges(graph), graph.slots);
    const r = refinePageOrder(graph, order, C, { maxPasses: 2, edgeBase: graph.slots });
    expect(r.objectiveBefore).toBeLessThan(r.passes.at(-1)!.objective);
    expect(sectorObjective(graph, order, C, graph.slots)).toBe(r.passes.at(-1)!.objective);
    expectPermutation(order, graph.npts);
  });

  test("mutual pairs scattered over sectors of 2 end up sharing a sector", () => {
    // Node i's only neighbour is its partner; the start order puts every pair in different sectors.
    const npts = 400;
    const slots = 4;
    const nbrs = new Uint32Array(npts * slots);
    const degree = new Uint32Array(npts).fill(1);
    const partner = (i: number): number => (i < npts / 2 ? i + npts / 2 : i - npts / 2);
    for (let i = 0; i < npts; i++) nbrs[i * slots] = partner(i);
    const graph: SlotGraph = { npts, slots, nbrs, degree };
    const oldOfNew = new Uint32Array(npts);
    for (let i = 0; i < npts; i++) oldOfNew[i] = i; // sectors {0,1}, {2,3}, …: no pair together
    const newOfOld = oldOfNew.slice();
    const order = { oldOfNew, newOfOld };
    expect(overlapRatios(graph, order, 2).outNeighbours).toBe(0);
    const r = refinePageOrder(graph, order, 2, { maxPasses: 10, minGain: 0 });
    expectPermutation(order, npts);
    expect(overlapRatios(graph, order, 2).outNeighbours).toBe(1);
    expect(r.passes.at(-1)!.objective).toBe(npts * slots);
  });

  test("a last sector that is not full keeps its size; no passes leaves the order alone", () => {
    const { graph } = fixtureGraph();
    const C = 7; // 10,000 = 1,428 × 7 + 4
    const order = pageOrder(graph, C);
    const copy = order.oldOfNew.slice();
    const packed = sectorObjective(graph, order, C);
    const none = refinePageOrder(graph, order, C, { maxPasses: 0 });
    expect(none.passes).toEqual([]);
    expect(order.oldOfNew).toEqual(copy);
    refinePageOrder(graph, order, C, { maxPasses: 2 });
    expectPermutation(order, graph.npts);
    expect(sectorObjective(graph, order, C)).toBeGreaterThan(packed);
  });
});
