// A search sweep: every query at every (L, mode, width), with recall against ground truth and the
// per-run aggregation of stats.ts. Used by `ringann search` and bench/search.ts; the runs room can
// call it for one worker's share of a sweep.
// Order "interleaved" runs the combinations one after another for each query (beam q0, pipe q0,
// beam q1, …), so a noisy shared machine affects all modes alike; abandoned pipelined reads are
// drained (untimed) before the next search so they never slow a different mode's query. Order
// "sequential" runs all queries of one combination, then the next (abandoned reads then overlap
// the next query of the same combination, as in a server).
import { recallAtK } from "../data/recall.ts";
import type { Truth } from "../format/truth.ts";
import type { Vectors } from "../format/vector-type.ts";
import type { DiskIndex, SearchMode, SearchOptions } from "./disk-index.ts";
import type { SearchParams } from "./machine.ts";
import { RunCollector, type RunSummary } from "./stats.ts";

export interface SweepQueries {
  data: Vectors;
  dim: number;
  count: number;
}

export interface SweepOptions {
  k: number;
  Ls: readonly number[];
  modes: readonly SearchMode[];
  widths: readonly number[];
  order?: "interleaved" | "sequential";
  /** Queries run untimed per combination before measuring (JIT warm-up), default 50. */
  warmup?: number;
  /** Extra options for every search (entry, memL, adaptiveWidth, pqWhileReading, readLimit). */
  search?: Omit<SearchOptions, "k" | "L" | "mode" | "width">;
  /** Called after each query of each L (done, total) — for progress bars. */
  onProgress?: (done: number, total: number) => void;
}

interface Combo {
  mode: SearchMode;
  width: number;
  params: SearchParams & { mode: SearchMode };
  ids: Uint32Array;
  dists: Float32Array;
  collector: RunCollector;
  wallMs: number;
}

export function runSweep(index: DiskIndex, queries: SweepQueries, truth: Truth | null, opts: SweepOptions): RunSummary[] {
  const { k, dim, count } = { k: opts.k, dim: queries.dim, count: queries.count };
  const order = opts.order ?? "interleaved";
  const warmup = Math.min(opts.warmup ?? 50, count);
  const rows: RunSummary[] = [];
  const total = opts.Ls.length * count;
  let done = 0;
  for (const L of opts.Ls) {
    const combos: Combo[] = [];
    for (const mode of opts.modes) {
      for (const width of opts.widths) {
        combos.push({
          mode, width, params: index.resolve({ ...opts.search, k, L, mode, width }),
          ids: new Uint32Array(count * k), dists: new Float32Array(count * k), collector: new RunCollector(count), wallMs: 0,
        });
      }
    }
    for (const c of combos) for (let q = 0; q < warmup; q++) index.searchInto(queries.data, q * dim, c.params, c.ids, c.dists, q * k);
    index.driver.drain();
    const one = (c: Combo, q: number): void => {
      const t0 = performance.now();
      const n = index.searchInto(queries.data, q * dim, c.params, c.ids, c.dists, q * k);
      c.wallMs += performance.now() - t0;
      for (let i = n; i < k; i++) c.ids[q * k + i] = 0xffffffff;
      c.collector.add(index.machineFor(c.mode).stats);
    };
    if (order === "interleaved") {
      for (let q = 0; q < count; q++) {
        for (const c of combos) {
          index.driver.drain();
          one(c, q);
        }
        opts.onProgress?.(++done, total);
      }
    } else {
      for (const c of combos) {
        index.driver.drain();
        for (let q = 0; q < count; q++) one(c, q);
      }
      done += count;
      opts.onProgress?.(done, total);
    }
    index.driver.drain();
    for (const c of combos) {
      const recall = truth ? recallAtK({ nq: count, stride: k, ids: c.ids, dists: c.dists }, truth, k) : NaN;
      rows.push(c.collector.summarize({ mode: c.mode, L, width: c.width, recall, wallMs: c.wallMs }));
    }
  }
  return rows;
}
