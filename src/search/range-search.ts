// Range search (issue 12): every point within `radius` of the query (distance ≤ radius, in the units
// results are reported in: squared L2 for l2). DiskANN's rule: search with list size L and take the
// top L by exact distance; if at least half of them are inside the radius the list was too short, so
// double L (up to maxL) and search again; stop when fewer than half are inside or L is at the cap.
// DiskANN runs every round as a fresh search; here, by default, a round continues the previous one
// (RangeMemory: the list grows to the new L, the candidates a full list had pushed out come back, the
// visited set and the results stay), so no node is read twice; `plan` null (or restart) runs DiskANN's
// fresh rounds. Reads and latency add up over the rounds.
// rangeRounds runs the rounds on any machine of a driver (FilterEngine: plain, or in-filter for a
// filtered range search); rangeSearch (range-index.ts) is the DiskIndex form. A filtered range search keeps about
// L × share matching points in a list of L (share: the filter's estimated local selectivity), so it
// starts at L / share and compares the points inside with L × share / 2.
import type { Vectors } from "../format/vector-type.ts";
import type { SearchMode } from "./disk-index.ts";
import type { SearchDriver } from "./driver.ts";
import type { FilterPlan } from "./filtered-machines.ts";
import type { QueryMachine, SearchParams } from "./machine.ts";
import { QueryStats } from "./stats.ts";
import { STAT_NAMES } from "./stat-fields.ts";

export interface RangeSearchOptions {
  radius: number;
  /** First list size (default 10). */
  L?: number;
  /** Cap on the list size (default: the index's maxL). */
  maxL?: number;
  mode?: SearchMode;
  width?: number;
}

export interface RangeResult {
  ids: Uint32Array;
  distances: Float32Array;
  /** Searches run (1 + doublings). */
  rounds: number;
  /** The last L searched with. */
  finalL: number;
  reads: number;
  latencyUs: number;
  /** Every statistic, summed over the rounds. */
  stats: QueryStats;
}

/** What rangeRounds found (reused across queries). */
export interface RangeOutcome {
  /** Points inside the radius, written to outIds/outDists[0..count). */
  count: number;
  rounds: number;
  finalL: number;
}

/** s += o for every statistic (finalWidth: the last round's). */
export function addStats(s: QueryStats, o: QueryStats): void {
  const a = s as unknown as Record<string, number>;
  const b = o as unknown as Record<string, number>;
  for (const name of STAT_NAMES) a[name] = name === "finalWidth" ? b[name]! : a[name]! + b[name]!;
}

/**
 * Runs DiskANN's range rounds on `machine` (owned by `driver`) from params.L up to maxL; the points
 * inside the radius, nearest first, go to outIds/outDists (room for maxL); `stats` gets the sum of
 * the rounds' statistics.
 */
export function rangeRounds(
  driver: SearchDriver,
  machine: QueryMachine,
  query: Vectors,
  offset: number,
  params: SearchParams,
  radius: number,
  maxL: number,
  outIds: Uint32Array,
  outDists: Float32Array,
  stats: QueryStats,
  out: RangeOutcome,
  share = 1,
  plan: FilterPlan | null = null,
): void {
  let L = Math.min(Math.ceil(params.L / share), maxL);
  stats.reset();
  let rounds = 0;
  let inside = 0;
  for (;;) {
    driver.run(machine, query, offset, { ...params, k: L, L });
    const n = machine.topK(L, outIds, outDists, 0);
    addStats(stats, machine.stats);
    rounds++;
    inside = 0;
    while (inside < n && outDists[inside]! <= radius) inside++;
    if (inside < (L * share) / 2 || L >= maxL) break;
    L = Math.min(maxL, L * 2);
    // Continue the finished search (every list entry expanded) rather than start over.
    if (plan !== null && plan.range !== null && !machine.queue.anyOpen()) plan.resumeL = L;
  }
  out.count = inside;
  out.rounds = rounds;
  out.finalL = L;
}
