// Refinement of a page order by swaps, after the greedy packing (page-order.ts), in the spirit of
// Starling's block-neighbour-frequency shuffling: a node belongs in the sector holding most of its
// graph neighbours. The objective is the weight of the edges inside sectors, each directed edge
// a → b weighing R − (rank of b in a's sorted list) (+ R with --edge-weight mixed), as the packing weighs them; so moving node u
// gains its out-edges AND its in-edges into the new sector (a node reached from many nodes of a
// sector belongs there too). Sectors stay full: a move is a swap of u with the member x of the
// target sector that makes the total gain largest, done only when that gain is positive, so the
// objective rises with every swap and the passes converge.
// A pass visits the sectors in order. For sector s it sums, once, every node's affinity to s
// (scoreS, from the members' in- and out-lists); then for each member u it sums u's affinity to
// the other sectors it touches, takes the few strongest, and scores swapping u with each of their
// members — exact, from cached internal affinities, without scanning the members' lists.
// Memory: the in-edges as CSR (4 + 1 bytes per edge, 2 when R > 255) and five npts-sized arrays.
import { type InEdges, inEdges } from "./in-edges.ts";
import type { PageOrder, SlotGraph } from "./page-order.ts";

/** Figures of one refinement pass. */
export interface RefinePass {
  /** 1-based. */
  readonly pass: number;
  readonly swaps: number;
  /** Weight of the edges inside sectors after the pass. */
  readonly objective: number;
  readonly seconds: number;
}

export interface RefineOptions {
  /** Most passes (default 8). */
  readonly maxPasses?: number;
  /** Stop when a pass raises the objective by less than this share (default 0.005). */
  readonly minGain?: number;
  /** Target sectors tried per node: its strongest (default 3). */
  readonly candidates?: number;
  /** Called after each pass (with the pass just done) and every few thousand sectors within one. */
  readonly onProgress?: (pass: number, sectorsDone: number) => void;
  readonly onPass?: (p: RefinePass) => void;
  /** An edge at rank k weighs edgeBase + R − k (default 0; pass the packing's). */
  readonly edgeBase?: number;
  /** The reverse graph when the caller has it already (built here otherwise). */
  readonly ins?: InEdges;
}

export interface RefineResult {
  /** Weight of the edges inside sectors before the first pass. */
  readonly objectiveBefore: number;
  readonly passes: RefinePass[];
}

/**
 * Improves `order` in place (oldOfNew / newOfOld stay inverse permutations, every sector keeps its
 * size) and returns the objective before and after each pass.
 */
export function refinePageOrder(g: SlotGraph, order: PageOrder, C: number, opts: RefineOptions = {}): RefineResult {
  const maxPasses = opts.maxPasses ?? 8;
  const minGain = opts.minGain ?? 0.005;
  const candidates = Math.max(1, opts.candidates ?? 3);
  const { npts, slots, nbrs, degree } = g;
  const top = (opts.edgeBase ?? 0) + slots; // weight of an edge at rank k: top − k
  const oldOfNew = order.oldOfNew as Uint32Array;
  const newOfOld = order.newOfOld as Uint32Array;
  const nSectors = Math.ceil(npts / C);
  const ins = opts.ins ?? inEdges(g);

  // A node's neighbours (out and in, self-edges left out) with their weights, gathered into scratch.
  const nb = new Uint32Array(slots + ins.maxIn);
  const nw = new Int32Array(slots + ins.maxIn);
  const gather = (u: number): number => {
    let n = 0;
    const base = u * slots;
    for (let k = 0; k < degree[u]!; k++) {
      const v = nbrs[base + k]!;
      if (v === u) continue;
      nb[n] = v;
      nw[n++] = top - k;
    }
    for (let e = ins.start[u]!; e < ins.start[u + 1]!; e++) {
      const y = ins.src[e]!;
      if (y === u) continue;
      nb[n] = y;
      nw[n++] = top - ins.rank[e]!;
    }
    return n;
  };
  const sectorOf = (u: number): number => Math.floor(newOfOld[u]! / C);

  // internal[u]: u's affinity to its own sector.
  const internal = new Int32Array(npts);
  let objective = 0;
  for (let u = 0; u < npts; u++) {
    const s = sectorOf(u);
    const n = gather(u);
    let a = 0;
    for (let i = 0; i < n; i++) if (sectorOf(nb[i]!) === s) a += nw[i]!;
    internal[u] = a;
    objective += a;
  }
  objective /= 2; // each internal edge is seen from both ends
  const objectiveBefore = objective;

  const scoreS = new Int32Array(npts); // affinity of every node to the sector being processed
  const scored = new Uint8Array(npts);
  const scoredList = new Uint32Array(npts);
  const wU = new Int32Array(npts); // w(u, v) for the member u being considered
  const aff = new Int32Array(nSectors); // u's affinity to each other sector it touches
  const touchedSectors = new Uint32Array(slots + ins.maxIn);
  const best = new Int32Array(candidates);
  const passes: RefinePass[] = [];

  for (let pass = 1; pass <= maxPasses; pass++) {
    const t0 = performance.now();
    let swaps = 0;
    const before = objective;
    for (let s = 0; s < nSectors; s++) {
      const first = s * C;
      const end = Math.min(npts, first + C);
      let scoredCount = 0;
      for (let p = first; p < end; p++) {
        const n = gather(oldOfNew[p]!);
        for (let i = 0; i < n; i++) {
          const v = nb[i]!;
          if (scored[v] === 0) {
            scored[v] = 1;
            scoredList[scoredCount++] = v;
          }
          scoreS[v]! += nw[i]!;
        }
      }
      for (let p = first; p < end; p++) {
        const u = oldOfNew[p]!;
        const n = gather(u);
        let nt = 0;
        for (let i = 0; i < n; i++) {
          const v = nb[i]!;
          wU[v]! += nw[i]!;
          const t = sectorOf(v);
          if (t === s) continue;
          if (aff[t] === 0) touchedSectors[nt++] = t;
          aff[t]! += nw[i]!;
        }
        // The strongest few target sectors (a partial selection: nt is at most a few hundred).
        let nb2 = 0;
        for (let i = 0; i < nt; i++) {
          const t = touchedSectors[i]!;
          const a = aff[t]!;
          if (nb2 < candidates) {
            best[nb2++] = t;
          } else if (a > aff[best[nb2 - 1]!]!) {
            best[nb2 - 1] = t;
          } else continue;
          for (let j = nb2 - 1; j > 0 && aff[best[j]!]! > aff[best[j - 1]!]!; j--) {
            const tmp = best[j]!;
            best[j] = best[j - 1]!;
            best[j - 1] = tmp;
          }
        }
        // Gain of swapping u (in s) with x (in t): u trades its ties to s for those to t less x, and
        // x trades its ties to t for those to s less u; the u–x edge stays cut either way.
        const iu = internal[u]!;
        let bestGain = 0;
        let bestX = -1;
        let bestT = -1;
        for (let c = 0; c < nb2; c++) {
          const t = best[c]!;
          const at = aff[t]!;
          const tEnd = Math.min(npts, (t + 1) * C);
          for (let q = t * C; q < tEnd; q++) {
            const x = oldOfNew[q]!;
            const w = wU[x]!;
            const gain = at - w - iu + (scoreS[x]! - w - internal[x]!);
            if (gain > bestGain) {
              bestGain = gain;
              bestX = x;
              bestT = t;
            }
          }
        }
        const newIu = bestX >= 0 ? aff[bestT]! - wU[bestX]! : 0;
        const newIx = bestX >= 0 ? scoreS[bestX]! - wU[bestX]! : 0;
        for (let i = 0; i < n; i++) wU[nb[i]!] = 0;
        for (let i = 0; i < nt; i++) aff[touchedSectors[i]!] = 0;
        if (bestX < 0) continue;

        // Swap: internal affinities of both sectors' nodes, and scoreS for the new s, then positions.
        const x = bestX;
        const t = bestT;
        let m = gather(u);
        for (let i = 0; i < m; i++) {
          const y = nb[i]!;
          const w = nw[i]!;
          scoreS[y]! -= w; // scored already: u is a member of s
          if (y === x) continue;
          const sy = sectorOf(y);
          if (sy === s) internal[y]! -= w;
          else if (sy === t) internal[y]! += w;
        }
        m = gather(x);
        for (let i = 0; i < m; i++) {
          const y = nb[i]!;
          const w = nw[i]!;
          if (scored[y] === 0) {
            scored[y] = 1;
            scoredList[scoredCount++] = y;
          }
          scoreS[y]! += w;
          if (y === u) continue;
          const sy = sectorOf(y);
          if (sy === t) internal[y]! -= w;
          else if (sy === s) internal[y]! += w;
        }
        internal[u] = newIu;
        internal[x] = newIx;
        const pu = newOfOld[u]!;
        const px = newOfOld[x]!;
        oldOfNew[pu] = x;
        oldOfNew[px] = u;
        newOfOld[u] = px;
        newOfOld[x] = pu;
        objective += bestGain;
        swaps++;
      }
      for (let i = 0; i < scoredCount; i++) {
        const v = scoredList[i]!;
        scoreS[v] = 0;
        scored[v] = 0;
      }
      if (opts.onProgress !== undefined && (s & 0x3fff) === 0) opts.onProgress(pass, s);
    }
    const p: RefinePass = { pass, swaps, objective, seconds: (performance.now() - t0) / 1000 };
    passes.push(p);
    opts.onPass?.(p);
    if (swaps === 0 || objective - before < minGain * Math.max(1, before)) break;
  }
  return { objectiveBefore, passes };
}

/** The weight of the edges inside sectors (the refinement's objective), computed from scratch. */
export function sectorObjective(g: SlotGraph, order: PageOrder, C: number, edgeBase = 0): number {
  const { npts, slots, nbrs, degree } = g;
  const top = edgeBase + slots;
  let total = 0;
  for (let u = 0; u < npts; u++) {
    const s = Math.floor(order.newOfOld[u]! / C);
    const base = u * slots;
    for (let k = 0; k < degree[u]!; k++) {
      const v = nbrs[base + k]!;
      if (v !== u && Math.floor(order.newOfOld[v]! / C) === s) total += top - k;
    }
  }
  return total;
}
