// Connectivity repair for the label-aware build (issue 12): for every label, a breadth-first walk from
// the label's start point over edges between the label's own points (what a label-restricted search
// can follow); each point it does not reach gets an edge from the nearest reached point of the label
// that has a free slot (or, when none has, from the nearest, which gives up a plain edge —
// label-edges.ts), and the walk continues from it. Giving up a plain edge can cut another label's
// path, so the pass repeats until one adds nothing: then every label's points are reachable.
import { RingannError, invariant } from "../errors.ts";
import type { LabelLists } from "./filtered-prune.ts";
import type { LabelEdgeLists } from "./label-edges.ts";
import type { RowDistances } from "./row-distances.ts";

export interface RepairResult {
  /** Labels that needed at least one edge (first pass). */
  labelsRepaired: number;
  edgesAdded: number;
  /** Passes run; the last one added nothing. */
  passes: number;
}

const MAX_PASSES = 16;

export function repairLabelConnectivity(
  edges: LabelEdgeLists,
  lists: LabelLists,
  starts: Uint32Array,
  rd: RowDistances,
): RepairResult {
  const graph = edges.graph;
  const npts = graph.npts;
  const memberMark = new Uint32Array(npts);
  const reachedMark = new Uint32Array(npts);
  const queue = new Uint32Array(npts);
  const reachedList = new Uint32Array(npts);
  let stamp = 0;
  let labelsRepaired = 0;
  let edgesAdded = 0;
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    let added = 0;
    for (let label = 0; label < lists.postings.length; label++) {
      const members = lists.postings[label]!;
      const start = starts[label]!;
      if (members.length < 2 || start >= npts) continue;
      stamp++;
      for (const p of members) memberMark[p] = stamp;
      invariant(memberMark[start] === stamp, `label ${label}: start point ${start} does not carry the label`);
      let reached = 0;
      // Breadth-first from `from`, marking and listing every member it reaches.
      const walk = (from: number): void => {
        let head = 0;
        let tail = 0;
        reachedMark[from] = stamp;
        reachedList[reached++] = from;
        queue[tail++] = from;
        const { nbrs, slots, degree } = graph;
        while (head < tail) {
          const p = queue[head++]!;
          const base = p * slots;
          for (let k = 0; k < degree[p]!; k++) {
            const c = nbrs[base + k]!;
            if (memberMark[c] === stamp && reachedMark[c] !== stamp) {
              reachedMark[c] = stamp;
              reachedList[reached++] = c;
              queue[tail++] = c;
            }
          }
        }
      };
      walk(start);
      if (reached === members.length) continue;
      if (pass === 1) labelsRepaired++;
      for (const u of members) {
        if (reachedMark[u] === stamp) continue;
        const from = nearestReached(u, reachedList, reached, edges, rd);
        edges.add(from, u);
        added++;
        walk(u);
      }
    }
    edgesAdded += added;
    if (added === 0) return { labelsRepaired, edgesAdded, passes: pass };
  }
  throw new RingannError("E_INVARIANT", `label connectivity repair did not settle in ${MAX_PASSES} passes`);
}

/**
 * The reached point nearest u that has a free slot; when none has, the nearest that keeps at least
 * half its plain edges after giving one up; else the nearest with any plain edge left.
 */
function nearestReached(
  u: number,
  reached: Uint32Array,
  count: number,
  edges: LabelEdgeLists,
  rd: RowDistances,
): number {
  // best[c], dist[c]: nearest of class c (0 free slot, 1 plain edges to spare, 2 any plain edge).
  const best = [-1, -1, -1];
  const dist = [Infinity, Infinity, Infinity];
  const spare = edges.R >> 1;
  for (let s = 0; s < count; s += rd.ids.length) {
    const n = Math.min(rd.ids.length, count - s);
    rd.ids.set(reached.subarray(s, s + n));
    rd.rows(u, n);
    for (let i = 0; i < n; i++) {
      const d = rd.out[i]!;
      const r = reached[s + i]!;
      const plain = edges.plain[r]!;
      const c = edges.room(r) > 0 ? 0 : plain > spare ? 1 : plain > 1 ? 2 : 3;
      if (c < 3 && d < dist[c]!) {
        dist[c] = d;
        best[c] = r;
      }
    }
  }
  const r = best[0]! >= 0 ? best[0]! : best[1]! >= 0 ? best[1]! : best[2]!;
  if (r < 0) throw new RingannError("E_INVARIANT", `label repair: no reached point can take an edge to ${u}`);
  return r;
}
