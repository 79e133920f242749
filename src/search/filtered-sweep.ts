// A filtered search sweep (issue 12): every query at every (L, mode, width, strategy), with the
// queries' own filters, recall against filtered ground truth, and the strategy `auto` chose. Strategy
// "none" is unfiltered search scored against unfiltered truth — the baseline the targets compare with.
// Interleaved: for each query every combination runs once (drained in between), so a noisy machine
// affects all alike.
import { NO_RESULT, recallAtK } from "../data/recall.ts";
import type { Match } from "../filter/label-store.ts";
import type { Truth } from "../format/truth.ts";
import type { Vectors } from "../format/vector-type.ts";
import type { SearchMode, SearchOptions } from "./disk-index.ts";
import type { AutoOptions, FilterStrategy, FilteredIndex } from "./filtered-index.ts";
import { RunCollector, type RunFigures } from "./stats.ts";

export interface SweepQueries {
  data: Vectors;
  dim: number;
  count: number;
}

export type SweepStrategy = FilterStrategy | "none";

export interface FilteredSweepOptions {
  k: number;
  Ls: readonly number[];
  modes: readonly SearchMode[];
  widths: readonly number[];
  strategies: readonly SweepStrategy[];
  /** The queries this run uses (indexes into queries/matches/truth), default all. */
  subset?: Uint32Array;
  warmup?: number;
  search?: Omit<SearchOptions, "k" | "L" | "mode" | "width">;
  auto?: AutoOptions;
  onProgress?: (done: number, total: number) => void;
}

export type FilteredRow = RunFigures & {
  mode: SearchMode;
  L: number;
  width: number;
  recall: number;
  wallMs: number;
  strategy: SweepStrategy;
  /** How often each strategy ran (auto's choices). */
  chosen: Record<string, number>;
  /** Mean L the traversal used. */
  effectiveL: number;
  /** Mean results returned per query (< k when too few matches were found). */
  found: number;
};

export function runFilteredSweep(
  f: FilteredIndex,
  queries: SweepQueries,
  matches: readonly Match[],
  truth: Truth | null,
  plainTruth: Truth | null,
  opts: FilteredSweepOptions,
): FilteredRow[] {
  const { k } = opts;
  const dim = queries.dim;
  const subset = opts.subset ?? Uint32Array.from({ length: queries.count }, (_, i) => i);
  const count = subset.length;
  const rows: FilteredRow[] = [];
  const total = opts.Ls.length * count;
  let done = 0;
  for (const L of opts.Ls) {
    const combos = [];
    for (const mode of opts.modes) {
      for (const width of opts.widths) {
        for (const strategy of opts.strategies) {
          combos.push({
            mode,
            width,
            strategy,
            params: f.index.resolve({ ...opts.search, k, L, mode, width }),
            ids: new Uint32Array(count * k).fill(NO_RESULT),
            dists: new Float32Array(count * k).fill(Infinity),
            collector: new RunCollector(count),
            wallMs: 0,
            chosen: {} as Record<string, number>,
            effectiveL: 0,
            found: 0,
          });
        }
      }
    }
    type Combo = (typeof combos)[number];
    const one = (c: Combo, i: number, record: boolean): void => {
      const q = subset[i]!;
      const t0 = performance.now();
      let n: number;
      if (c.strategy === "none") {
        n = f.index.searchInto(queries.data, q * dim, c.params, c.ids, c.dists, i * k);
        f.lastStrategy = "none";
        f.lastEffectiveL = c.params.L;
        f.lastMachine = f.index.machineFor(c.mode);
      } else {
        n = f.searchInto(queries.data, q * dim, c.params, matches[q]!, c.strategy, c.ids, c.dists, i * k, opts.auto);
      }
      const ms = performance.now() - t0;
      if (!record) return;
      c.wallMs += ms;
      for (let j = n; j < k; j++) {
        c.ids[i * k + j] = NO_RESULT;
        c.dists[i * k + j] = Infinity;
      }
      c.collector.add(f.lastMachine.stats);
      c.chosen[f.lastStrategy] = (c.chosen[f.lastStrategy] ?? 0) + 1;
      c.effectiveL += f.lastEffectiveL;
      c.found += n;
    };
    const warmup = Math.min(opts.warmup ?? 20, count);
    for (const c of combos) for (let i = 0; i < warmup; i++) one(c, i, false);
    f.driver.drain();
    for (let i = 0; i < count; i++) {
      for (const c of combos) {
        f.driver.drain();
        one(c, i, true);
      }
      opts.onProgress?.(++done, total);
    }
    f.driver.drain();
    for (const c of combos) {
      const t = c.strategy === "none" ? plainTruth : truth;
      const recall = t
        ? recallAtK({ nq: count, stride: k, ids: c.ids, dists: c.dists }, subsetTruth(t, subset), k)
        : NaN;
      rows.push({
        ...c.collector.summarize(),
        mode: c.mode,
        L,
        width: c.width,
        recall,
        wallMs: c.wallMs,
        strategy: c.strategy,
        chosen: c.chosen,
        effectiveL: c.effectiveL / count,
        found: c.found / count,
      });
    }
  }
  return rows;
}

/** The truth rows of `subset`, in its order. */
function subsetTruth(t: Truth, subset: Uint32Array): Truth {
  const ids = new Uint32Array(subset.length * t.k);
  const dists = t.dists ? new Float32Array(subset.length * t.k) : null;
  for (let i = 0; i < subset.length; i++) {
    const q = subset[i]!;
    ids.set(t.ids.subarray(q * t.k, (q + 1) * t.k), i * t.k);
    if (dists && t.dists) dists.set(t.dists.subarray(q * t.k, (q + 1) * t.k), i * t.k);
  }
  return { nq: subset.length, k: t.k, ids, dists };
}
