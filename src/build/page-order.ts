// Which nodes share a sector: a greedy block-neighbour packing in the spirit of Starling's block
// shuffling. Blocks of C positions are filled one at a time: a block opens with the lowest
// unassigned id, then repeatedly takes the unassigned node with the highest score — the edges from
// the block's members to it, each weighted by R − its rank in the member's neighbour list (lists
// are sorted nearest first; measured: 1–2% fewer reads than counting edges alone), and, given the
// reverse graph, its edges to the members weighted alike (2–3% fewer reads again at 1M) — until the
// block is full; when no member has an unassigned neighbour left, the next unassigned id continues
// the block. Every block but the last is full, so the new ids are contiguous (node p lives in
// sector p / C). Cost: O(npts · (R + in-degree) · C) time at most, memory O(npts) beyond the graphs.
// page-refine.ts then improves the result by swaps.
// Overlap ratios measure the result (the and Starling's definitions, docs/page-layout.md).
import { invariant } from "../errors.ts";
import type { OverlapRatios } from "../format/page-layout.ts";
import type { InEdges } from "./in-edges.ts";

/** A graph as fixed-size neighbour slots: nbrs[id * slots + k] for k < degree[id]. */
export interface SlotGraph {
  readonly npts: number;
  readonly slots: number;
  readonly nbrs: Uint32Array;
  readonly degree: Uint32Array;
}

/** oldOfNew[p] = the node placed at position p; newOfOld is its inverse. */
export interface PageOrder {
  readonly oldOfNew: Uint32Array;
  readonly newOfOld: Uint32Array;
}

/**
 * Greedy block-neighbour packing; `onProgress(done)` is called every few thousand nodes placed. With
 * `ins` (the reverse graph) a candidate also scores the edges it sends to the block's members, each
 * weighted by the member's rank in its list: a node that has the members among its nearest
 * neighbours belongs with them even when they do not list it. An edge at rank k weighs
 * `edgeBase` + R − k: 0 (the default: rank weights) or R ("mixed": half edge count, half rank;
 * fewer reads on the 1M uint8 set, more on GloVe — docs/benchmarks.md, issue 10).
 */
export function pageOrder(
  g: SlotGraph,
  C: number,
  onProgress?: (done: number) => void,
  ins?: InEdges,
  edgeBase = 0,
): PageOrder {
  invariant(C >= 1, `nodes per sector ${C} must be ≥ 1`);
  const { npts, slots, nbrs, degree } = g;
  const oldOfNew = new Uint32Array(npts);
  const newOfOld = new Uint32Array(npts).fill(0xffffffff);
  // score[u]: edges from the open block's members to unassigned u; touched lists the u with score > 0.
  const score = new Uint32Array(npts);
  const touched = new Uint32Array(C * (slots + (ins?.maxIn ?? 0)) + 1);
  let touchedCount = 0;
  let pos = 0;
  let nextSeed = 0;
  let reported = 0;

  const place = (u: number): void => {
    oldOfNew[pos] = u;
    newOfOld[u] = pos;
    pos++;
    const base = u * slots;
    const d = degree[u]!;
    for (let k = 0; k < d; k++) {
      const v = nbrs[base + k]!;
      if (newOfOld[v] !== 0xffffffff) continue;
      if (score[v] === 0) touched[touchedCount++] = v;
      score[v]! += edgeBase + slots - k; // a member's nearer neighbours (earlier in its sorted list) weigh more
    }
    if (ins === undefined) return;
    for (let e = ins.start[u]!; e < ins.start[u + 1]!; e++) {
      const v = ins.src[e]!;
      if (newOfOld[v] !== 0xffffffff) continue;
      if (score[v] === 0) touched[touchedCount++] = v;
      score[v]! += edgeBase + slots - ins.rank[e]!;
    }
  };

  while (pos < npts) {
    const blockEnd = Math.min(npts, pos + C);
    while (pos < blockEnd) {
      // The best unassigned candidate among those the block's members point to.
      let best = -1;
      let bestScore = 0;
      for (let i = 0; i < touchedCount; i++) {
        const v = touched[i]!;
        const s = newOfOld[v] === 0xffffffff ? score[v]! : 0;
        if (s > bestScore) {
          bestScore = s;
          best = v;
        }
      }
      if (best < 0) {
        while (newOfOld[nextSeed] !== 0xffffffff) nextSeed++;
        best = nextSeed;
      }
      place(best);
    }
    for (let i = 0; i < touchedCount; i++) score[touched[i]!] = 0;
    touchedCount = 0;
    if (onProgress !== undefined && pos - reported >= 65536) {
      reported = pos;
      onProgress(pos);
    }
  }
  onProgress?.(pos);
  return { oldOfNew, newOfOld };
}

/**
 * The simpler packing Starling starts from (its block-neighbour padding): a block takes the lowest
 * unassigned id and then that node's unassigned out-neighbours in list order; a block they do not fill
 * is completed with the next unassigned ids. Kept as the baseline the greedy packing is measured against.
 */
export function seedNeighbourOrder(g: SlotGraph, C: number): PageOrder {
  const { npts, slots, nbrs, degree } = g;
  const oldOfNew = new Uint32Array(npts);
  const newOfOld = new Uint32Array(npts).fill(0xffffffff);
  let pos = 0;
  let nextSeed = 0;
  const place = (u: number): void => {
    oldOfNew[pos] = u;
    newOfOld[u] = pos;
    pos++;
  };
  while (pos < npts) {
    const blockEnd = Math.min(npts, pos + C);
    while (newOfOld[nextSeed] !== 0xffffffff) nextSeed++;
    const seed = nextSeed;
    place(seed);
    const d = degree[seed]!;
    for (let k = 0; k < d && pos < blockEnd; k++) {
      const v = nbrs[seed * slots + k]!;
      if (newOfOld[v] === 0xffffffff) place(v);
    }
    while (pos < blockEnd) {
      while (newOfOld[nextSeed] !== 0xffffffff) nextSeed++;
      place(nextSeed);
    }
  }
  return { oldOfNew, newOfOld };
}

/** The identity order (sectors filled in id order, what `ringann build` writes). */
export function identityOrder(npts: number): PageOrder {
  const ids = new Uint32Array(npts);
  for (let i = 0; i < npts; i++) ids[i] = i;
  return { oldOfNew: ids, newOfOld: ids };
}

/**
 * Overlap of a layout: for each node with out-neighbours, the share of them that sit in its own
 * sector (over its degree, and over the C − 1 other slots of the sector), averaged over nodes.
 */
export function overlapRatios(g: SlotGraph, order: PageOrder, C: number): OverlapRatios {
  const { npts, slots, nbrs, degree } = g;
  const { newOfOld } = order;
  let outSum = 0;
  let mateSum = 0;
  let counted = 0;
  for (let u = 0; u < npts; u++) {
    const d = degree[u]!;
    if (d === 0) continue;
    const sector = Math.floor(newOfOld[u]! / C);
    const sectorFirst = sector * C;
    const mates = Math.min(npts, sectorFirst + C) - sectorFirst - 1;
    let same = 0;
    const base = u * slots;
    for (let k = 0; k < d; k++) if (Math.floor(newOfOld[nbrs[base + k]!]! / C) === sector) same++;
    outSum += same / d;
    if (mates > 0) mateSum += same / mates;
    counted++;
  }
  return counted === 0
    ? { outNeighbours: 0, sectorMates: 0 }
    : { outNeighbours: outSum / counted, sectorMates: Math.min(1, mateSum / counted) };
}
