// Range queries over a query set (issue 12): every query at every (starting L, mode, width) with
// DiskANN's doubling rule (range-search.ts), recall against range truth, mean latency / reads / rounds.
import { rangeRecall } from "../data/filtered-truth.ts";
import type { RangeTruth } from "../format/range-truth.ts";
import type { DiskIndex, SearchMode } from "./disk-index.ts";
import { rangeSearch } from "./range-search.ts";
import type { SweepQueries } from "./filtered-sweep.ts";

export interface RangeRow {
  [key: string]: string | number;
  mode: string;
  W: number;
  L: number;
  radius: number;
  recall: number;
  mean_us: number;
  reads: number;
  rounds: number;
  final_L: number;
  found: number;
  truth: number;
}

export function runRangeQueries(
  index: DiskIndex,
  queries: SweepQueries,
  truth: RangeTruth | null,
  opts: {
    radius: number;
    Ls: readonly number[];
    modes: readonly SearchMode[];
    widths: readonly number[];
    maxL: number;
  },
): RangeRow[] {
  const rows: RangeRow[] = [];
  for (const L of opts.Ls) {
    for (const mode of opts.modes) {
      for (const width of opts.widths) {
        const found: Uint32Array[] = [];
        let us = 0;
        let reads = 0;
        let rounds = 0;
        let finalL = 0;
        let n = 0;
        for (let q = 0; q < queries.count; q++) {
          index.driver.drain();
          const r = rangeSearch(
            index,
            queries.data,
            { radius: opts.radius, L, maxL: opts.maxL, mode, width },
            q * queries.dim,
          );
          found.push(r.ids);
          us += r.latencyUs;
          reads += r.reads;
          rounds += r.rounds;
          finalL += r.finalL;
          n += r.ids.length;
        }
        const c = queries.count;
        rows.push({
          mode,
          W: width,
          L,
          radius: opts.radius,
          recall: truth ? rangeRecall(found, truth) : NaN,
          mean_us: us / c,
          reads: reads / c,
          rounds: rounds / c,
          final_L: finalL / c,
          found: n / c,
          truth: truth ? truth.offsets[Math.min(c, truth.nq)]! / Math.min(c, truth.nq) : NaN,
        });
      }
    }
  }
  return rows;
}
