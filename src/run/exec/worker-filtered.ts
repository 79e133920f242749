// A search Worker's filtered and range runs (issue 12): the same chunks of queries from the shared
// counter as unfiltered runs (worker-engine.ts), each query through a FilterEngine over this Worker's
// context (its own ring, the shared PQ codes and cache) with the query's filter from shared memory.
// Per query it writes the top k (range: the nearest k inside the radius), the statistics (range:
// summed over its rounds) and the extras: strategy chosen, traversal L, selectivity, results found,
// and for range search the rounds and the hits against the range truth. One query at a time per
// Worker (concurrency 1); several combos run query by query in turn, drained in between.
import { Bitset } from "../../filter/bitset.ts";
import { Match } from "../../filter/label-store.ts";
import type { Vectors } from "../../format/vector-type.ts";
import type { SubmitPolicy } from "../../search/driver.ts";
import { CHOSEN_STRATEGIES, FilterEngine, type ModeParams } from "../../search/filter-engine.ts";
import type { SearchContext } from "../../search/machine.ts";
import type { QueryStats } from "../../search/stats.ts";
import {
  EXTRA_EFFECTIVE_L,
  EXTRA_FOUND,
  EXTRA_HITS,
  EXTRA_ROUNDS,
  EXTRA_SELECTIVITY,
  EXTRA_STRATEGY,
  EXTRA_TRUTH,
  type RunCombo,
  type RunMessage,
  type SharedFilters,
  type SharedRangeTruth,
  type SharedResults,
  extrasOffset,
  statsOffset,
} from "./pool-protocol.ts";

const NO_RESULT = 0xffffffff;
const NO_AUTO = {};

export interface FilteredRunnerSetup {
  readonly queries: Vectors;
  readonly dim: number;
  readonly k: number;
  readonly results: SharedResults;
  readonly filters: SharedFilters | null;
  readonly rangeTruth: SharedRangeTruth | null;
}

export class FilteredRunner {
  readonly engine: FilterEngine;
  private readonly setup: FilteredRunnerSetup;
  /** The filters as match sets over the shared bitsets (ids listed lazily, once per Worker). */
  private readonly matches: Match[];
  private readonly rangeIds: Uint32Array;
  private readonly rangeDists: Float32Array;
  /** Range hits: the found ids' bits, set then cleared per query (no npts-sized work per query). */
  private readonly seen: Bitset;
  /** Called after each recorded search (the shared "finished" counter). */
  private readonly recorded: () => void;

  constructor(ctx: SearchContext, submit: SubmitPolicy, setup: FilteredRunnerSetup, recorded: () => void) {
    this.engine = new FilterEngine(ctx, { submit });
    this.setup = setup;
    this.recorded = recorded;
    const f = setup.filters;
    this.matches = f === null ? [] : f.sets.map((s) => new Match(new Bitset(f.npts, s.words), s.count, s.starts));
    this.rangeIds = new Uint32Array(ctx.maxL);
    this.rangeDists = new Float32Array(ctx.maxL);
    this.seen = new Bitset(setup.rangeTruth !== null ? ctx.meta.npts : 0);
  }

  /** Runs queries from the shared counter until msg.count; returns how many and per combo the summed time. */
  run(msg: RunMessage, spin: boolean, idlePoll: (() => void) | null): { queries: number; comboMs: number[] } {
    const { engine } = this;
    const { results } = this.setup;
    engine.driver.spin = spin;
    engine.driver.idlePoll = idlePoll;
    const comboMs = msg.combos.map(() => 0);
    const params = msg.combos.map((c) => ({ ...c.params, mode: c.mode }) as ModeParams);
    const counters = results.counters;
    let ran = 0;
    try {
      for (;;) {
        const start = Atomics.add(counters, 0, msg.chunk);
        if (start >= msg.count) break;
        const end = Math.min(msg.count, start + msg.chunk);
        for (let q = start; q < end; q++) {
          for (let c = 0; c < msg.combos.length; c++) {
            engine.driver.drain();
            const t0 = performance.now();
            const stats = this.one(msg.combos[c]!, params[c]!, c, q);
            comboMs[c]! += performance.now() - t0;
            stats.writeTo(results.stats, statsOffset(results, c, q));
            this.recorded();
          }
        }
        ran += end - start;
      }
    } finally {
      engine.driver.drain();
    }
    return { queries: ran, comboMs };
  }

  /** One query of one combo: answer and extras into shared memory; returns its statistics. */
  private one(combo: RunCombo, params: ModeParams, c: number, q: number): QueryStats {
    const { engine } = this;
    const { queries, dim, k, results, filters } = this.setup;
    const at = (c * results.capacity + q) * k;
    const ex = extrasOffset(results, c, q);
    const extras = results.extras;
    const match = filters === null ? null : this.matches[filters.filterOf[q]!]!;
    let n: number;
    let stats: QueryStats;
    if (combo.radius !== undefined) {
      const maxL = combo.growMaxL ?? engine.ctx.maxL;
      const found = engine.rangeInto(
        queries,
        q * dim,
        params,
        combo.radius,
        maxL,
        match,
        this.rangeIds,
        this.rangeDists,
      );
      n = Math.min(k, found);
      results.ids.set(this.rangeIds.subarray(0, n), at);
      results.dists.set(this.rangeDists.subarray(0, n), at);
      stats = engine.rangeStats;
      extras[ex + EXTRA_FOUND] = found;
      extras[ex + EXTRA_ROUNDS] = engine.lastRounds;
      this.rangeHits(q, found, ex);
    } else if (combo.strategy === "none" || match === null) {
      n = engine.plainInto(queries, q * dim, params, results.ids, results.dists, at);
      stats = engine.lastMachine.stats;
      extras[ex + EXTRA_FOUND] = n;
    } else {
      const strategy = combo.strategy ?? "auto";
      const auto = combo.preMax !== undefined ? { preMaxPoints: combo.preMax } : NO_AUTO;
      n = engine.searchInto(queries, q * dim, params, match, strategy, results.ids, results.dists, at, auto);
      stats = engine.lastMachine.stats;
      extras[ex + EXTRA_FOUND] = n;
    }
    for (let i = n; i < k; i++) {
      results.ids[at + i] = NO_RESULT;
      results.dists[at + i] = Infinity;
    }
    extras[ex + EXTRA_STRATEGY] = CHOSEN_STRATEGIES.indexOf(engine.lastStrategy);
    extras[ex + EXTRA_EFFECTIVE_L] = engine.lastEffectiveL;
    extras[ex + EXTRA_SELECTIVITY] = match === null ? 1 : match.selectivity;
    return stats;
  }

  /** |found ∩ truth of q| and |truth of q| into the extras (no allocation: bits set, counted, cleared). */
  private rangeHits(q: number, found: number, ex: number): void {
    const t = this.setup.rangeTruth;
    const extras = this.setup.results.extras;
    if (t === null || q + 1 >= t.offsets.length) {
      extras[ex + EXTRA_HITS] = 0;
      extras[ex + EXTRA_TRUTH] = 0;
      return;
    }
    const seen = this.seen;
    for (let i = 0; i < found; i++) seen.add(this.rangeIds[i]!);
    let hits = 0;
    const lo = t.offsets[q]!;
    const hi = t.offsets[q + 1]!;
    for (let i = lo; i < hi; i++) if (seen.has(t.ids[i]!)) hits++;
    for (let i = 0; i < found; i++) {
      const id = this.rangeIds[i]!;
      seen.words[id >>> 5]! &= ~(1 << (id & 31));
    }
    extras[ex + EXTRA_HITS] = hits;
    extras[ex + EXTRA_TRUTH] = hi - lo;
  }
}
