// The filtered and range search strategies over one SearchContext (issue 12), shared by the library
// (FilteredIndex: a DiskIndex and its labels), the run's search Workers (worker-engine.ts) and the
// server. It owns its own machines and driver over the context's reader:
//   plain beam / pipe       unfiltered search (strategy "none", post-filtering, range search);
//   filtered beam / pipe    in-filter and label traversal (filtered-machines.ts);
//   pre                     pre-filtering (prefilter.ts).
// The machines of a caller (a DiskIndex's own) can come first in the driver (`prior`), so both
// share one driver and owner numbering; nothing of unfiltered search changes.
// Per query the strategy is chosen once (never per hop):
//   pre     few matches: PQ-score every match, read and exactly rank the best L;
//   in      in-filter traversal: L grows to L / (local selectivity), capped at maxL;
//   label   Filtered-DiskANN's traversal: only matching nodes enter the queue;
//   post    naive post-filtering of the unfiltered top L;
//   auto    pre or in by a cost estimate (choose()).
// Range search (rangeInto): see range-search.ts for the rule.
import { Bitset } from "../filter/bitset.ts";
import type { Vectors } from "../format/vector-type.ts";
import { SearchDriver, type SubmitPolicy } from "./driver.ts";
import { ACCEPT_ALL, FilteredBeamSearch, FilteredPipeSearch } from "./filtered-machines.ts";
import { GatheredCodes, type GatheredCodesOptions } from "./gathered-codes.ts";
import { LocalSelectivity } from "./local-selectivity.ts";
import type { QueryMachine, SearchContext, SearchParams } from "./machine.ts";
import { createQueryMachine } from "./page-layout.ts";
import { PrefilterSearch } from "./prefilter.ts";
import { type RangeOutcome, rangeRounds } from "./range-search.ts";
import { RangeMemory } from "./range-memory.ts";
import { QueryStats } from "./stats.ts";
import { visitedEstimate } from "./visited.ts";

export const FILTER_STRATEGIES = ["auto", "pre", "in", "label", "post"] as const;
export type FilterStrategy = (typeof FILTER_STRATEGIES)[number];
export type ChosenStrategy = Exclude<FilterStrategy, "auto"> | "none";
/** Strategies as numbers (shared memory, stats): index into CHOSEN_STRATEGIES. */
export const CHOSEN_STRATEGIES: readonly ChosenStrategy[] = ["none", "pre", "in", "label", "post"];

/** What a filter evaluated to, as the strategies need it (filter/label-store.ts's Match is one). */
export interface MatchView {
  readonly bits: Bitset;
  readonly count: number;
  readonly selectivity: number;
  /** Start points of the filter's labels that match it. */
  readonly starts: Uint32Array;
  /** The matching ids in increasing order. */
  ids(): Uint32Array;
}

/** The cost model of `auto` (see FilterEngine.choose). */
export interface AutoOptions {
  /** Pre-filter when at most this many points match, without estimating (replaces the model). */
  preMaxPoints?: number;
  /** Pre-filter at or below this many matches without estimating (default 2,000). */
  preAlwaysPoints?: number;
  /** One PQ table lookup, ns (default 0.8, measured here). */
  pqLookupNs?: number;
  /** One extra node visited by in-filter traversal, µs (default 25). */
  hopUs?: number;
}

const PRE_ALWAYS_POINTS = 2000;
const NO_STARTS = new Uint32Array(0);
const PQ_LOOKUP_NS = 0.8;
const HOP_US = 25;

export type ModeParams = SearchParams & { mode: "beam" | "pipe" };

export interface FilterEngineOptions {
  /** Machines that come first in the driver (a DiskIndex's own); the engine's follow them. */
  prior?: readonly QueryMachine[];
  /** The unfiltered machines to use (default: new plain beam and pipe machines of the engine). */
  plain?: { beam: QueryMachine; pipe: QueryMachine };
  spin?: boolean;
  submit?: SubmitPolicy;
  /** Range search: run every round as a fresh search (DiskANN's rule) instead of continuing (default false). */
  rangeRestart?: boolean;
  /** Pre-filtering: code rows of frequent filters kept gathered (gathered-codes.ts). */
  gathered?: GatheredCodesOptions;
}

export class FilterEngine {
  readonly ctx: SearchContext;
  readonly driver: SearchDriver;
  readonly plainBeam: QueryMachine;
  readonly plainPipe: QueryMachine;
  readonly beam: FilteredBeamSearch;
  readonly pipe: FilteredPipeSearch;
  readonly pre: PrefilterSearch;
  /** The strategy, selectivity and traversal L of the last search. */
  lastStrategy: ChosenStrategy = "none";
  lastSelectivity = 1;
  lastEffectiveL = 0;
  /** The last query's estimated local selectivity (in: L / this). */
  lastLocalSelectivity = 1;
  /** The machine that ran the last search (its stats stay valid until the next). */
  lastMachine: QueryMachine;
  /** The last range search: searches run, the L of the last one. */
  lastRounds = 0;
  lastFinalL = 0;
  /** The last range search's statistics, summed over its rounds. */
  readonly rangeStats = new QueryStats();
  private readonly local: LocalSelectivity;
  private readonly scratchIds: Uint32Array;
  private readonly scratchDists: Float32Array;
  private readonly range: RangeOutcome = { count: 0, rounds: 0, finalL: 0 };
  /** What range rounds keep between them (made by the first range search; null: fresh rounds). */
  private rangeMemory: RangeMemory | null = null;
  private readonly rangeRestart: boolean;
  /** Pre-filtering's gathered code rows, per filter. */
  readonly gathered: GatheredCodes;

  constructor(ctx: SearchContext, opts: FilterEngineOptions = {}) {
    this.ctx = ctx;
    const prior = opts.prior ?? [];
    const own: QueryMachine[] = [];
    let owner = prior.length;
    if (opts.plain) {
      this.plainBeam = opts.plain.beam;
      this.plainPipe = opts.plain.pipe;
    } else {
      this.plainBeam = createQueryMachine("beam", ctx, owner++, false);
      this.plainPipe = createQueryMachine("pipe", ctx, owner++, false);
      own.push(this.plainBeam, this.plainPipe);
    }
    const none = new Bitset(ctx.meta.npts);
    this.beam = new FilteredBeamSearch(ctx, owner++, none);
    this.pipe = new FilteredPipeSearch(ctx, owner++, none);
    this.pre = new PrefilterSearch(ctx, owner++);
    own.push(this.beam, this.pipe, this.pre);
    this.lastMachine = this.pre;
    this.driver = new SearchDriver(ctx.source, [...prior, ...own], {
      spin: opts.spin ?? false,
      submit: opts.submit ?? "eager",
    });
    this.local = new LocalSelectivity(ctx);
    this.rangeRestart = opts.rangeRestart ?? false;
    this.gathered = new GatheredCodes(ctx.pq, ctx.codes, opts.gathered);
    this.scratchIds = new Uint32Array(ctx.maxL);
    this.scratchDists = new Float32Array(ctx.maxL);
  }

  /** The unfiltered machine of `mode`. */
  plain(mode: "beam" | "pipe"): QueryMachine {
    return mode === "beam" ? this.plainBeam : this.plainPipe;
  }

  /** Unfiltered search (strategy "none"): k results at outOffset; returns how many. */
  plainInto(
    query: Vectors,
    offset: number,
    params: ModeParams,
    outIds: Uint32Array,
    outDists: Float32Array,
    outOffset: number,
  ): number {
    const m = this.plain(params.mode);
    this.driver.run(m, query, offset, params);
    this.lastStrategy = "none";
    this.lastSelectivity = 1;
    this.lastEffectiveL = params.L;
    this.lastMachine = m;
    return m.topK(params.k, outIds, outDists, outOffset);
  }

  /**
   * Which strategy `auto` takes. Pre-filtering costs one PQ distance per match (M lookups, ~0.8 ns
   * each here) and reads L records; in-filter traversal reads about L / local selectivity records
   * (~hopUs each on this machine kind). Below preAlwaysPoints matches pre-filtering always wins; above,
   * the cheaper by that estimate (preMaxPoints, when given, replaces the estimate by a plain threshold).
   */
  choose(m: MatchView, L: number, local: number, opts: AutoOptions = {}): "pre" | "in" {
    if (opts.preMaxPoints !== undefined) return m.count <= opts.preMaxPoints ? "pre" : "in";
    if (m.count <= (opts.preAlwaysPoints ?? PRE_ALWAYS_POINTS)) return "pre";
    const M = this.ctx.pq.M;
    const preUs = (m.count * M * (opts.pqLookupNs ?? PQ_LOOKUP_NS)) / 1000;
    const inUs = (L / Math.max(local, 1e-3) - L) * (opts.hopUs ?? HOP_US);
    return preUs <= inUs ? "pre" : "in";
  }

  /**
   * Filtered search: up to k matching results at outOffset; returns how many (fewer when fewer points
   * match or were reached). The machine's stats (lastMachine) include the selectivity estimate's time.
   */
  searchInto(
    query: Vectors,
    offset: number,
    params: ModeParams,
    m: MatchView,
    strategy: FilterStrategy,
    outIds: Uint32Array,
    outDists: Float32Array,
    outOffset: number,
    auto: AutoOptions = {},
  ): number {
    // The local selectivity (in-filter's L, and auto's cost estimate) is measured once, before the
    // machine's clock starts; its time is added to the query's latency below.
    let estimateUs = 0;
    let local = m.selectivity;
    const smallForPre =
      auto.preMaxPoints !== undefined
        ? m.count <= auto.preMaxPoints
        : m.count <= (auto.preAlwaysPoints ?? PRE_ALWAYS_POINTS);
    if (strategy === "in" || (strategy === "auto" && !smallForPre && m.count > 0)) {
      const t0 = performance.now();
      local = this.local.estimate(query, offset, m.bits, m.selectivity);
      estimateUs = (performance.now() - t0) * 1000;
    }
    this.lastLocalSelectivity = local;
    const chosen = strategy === "auto" ? this.choose(m, params.L, local, auto) : strategy;
    this.lastStrategy = chosen;
    this.lastSelectivity = m.selectivity;
    const maxL = this.ctx.maxL;
    if (m.count === 0) {
      this.lastEffectiveL = 0;
      this.lastMachine = this.pre;
      this.pre.stats.reset();
      return 0;
    }
    switch (chosen) {
      case "pre": {
        const pre = this.pre;
        // The matches' ids, and their gathered code rows, are made by a filter's first query: its latency
        // carries them, as it carries the estimate.
        const t0 = performance.now();
        pre.candidates = m.ids();
        pre.candidateRows = this.gathered.rowsFor(m, pre.candidates);
        estimateUs += (performance.now() - t0) * 1000;
        this.lastEffectiveL = Math.min(params.L, m.count);
        this.lastMachine = pre;
        const width = Math.min(this.ctx.maxWidth, params.width * 2);
        this.driver.run(pre, query, offset, { ...params, L: this.lastEffectiveL, width, entry: "medoid" });
        pre.stats.latencyUs += estimateUs;
        pre.stats.cpuUs += estimateUs;
        return pre.topK(params.k, outIds, outDists, outOffset);
      }
      case "in":
      case "label": {
        const machine = params.mode === "beam" ? this.beam : this.pipe;
        machine.plan.accept = m.bits;
        machine.plan.restrict = chosen === "label";
        machine.plan.starts = m.starts;
        machine.plan.range = null;
        machine.plan.resumeL = 0;
        const L = chosen === "in" ? Math.min(maxL, Math.max(params.L, Math.ceil(params.L / local))) : params.L;
        this.lastEffectiveL = L;
        this.lastMachine = machine;
        this.driver.run(machine, query, offset, { ...params, L, pqWhileReading: false });
        // The estimate ran before the machine's clock started: it is part of this query's latency.
        machine.stats.latencyUs += estimateUs;
        machine.stats.cpuUs += estimateUs;
        return machine.topK(params.k, outIds, outDists, outOffset);
      }
      case "post": {
        const machine = this.plain(params.mode);
        this.lastEffectiveL = params.L;
        this.lastMachine = machine;
        this.driver.run(machine, query, offset, params);
        const n = machine.topK(params.L, this.scratchIds, this.scratchDists, 0);
        let kept = 0;
        for (let i = 0; i < n && kept < params.k; i++) {
          const id = this.scratchIds[i]!;
          if (!m.bits.has(id)) continue;
          outIds[outOffset + kept] = id;
          outDists[outOffset + kept] = this.scratchDists[i]!;
          kept++;
        }
        return kept;
      }
    }
  }

  /**
   * Range search: every point within `radius` (optionally matching `m`: in-filter traversal), nearest
   * first, into outIds/outDists from 0 (room for min(maxL, ctx.maxL)); returns how many. params.L is
   * the first list size. rangeStats holds the statistics summed over the rounds; lastRounds /
   * lastFinalL the rounds and the last L.
   */
  rangeInto(
    query: Vectors,
    offset: number,
    params: ModeParams,
    radius: number,
    maxL: number,
    m: MatchView | null,
    outIds: Uint32Array,
    outDists: Float32Array,
  ): number {
    // Range rounds run on the filtered machines (accepting every point without a filter), which can
    // continue a finished round (range-memory.ts).
    const machine = params.mode === "beam" ? this.beam : this.pipe;
    const plan = machine.plan;
    let share = 1;
    plan.restrict = false;
    if (!this.rangeRestart) {
      const c = this.ctx;
      this.rangeMemory ??= new RangeMemory(c.meta.npts, visitedEstimate(c.maxL, c.maxWidth, c.meta.R, 1));
    }
    plan.range = this.rangeMemory;
    plan.resumeL = 0;
    if (m === null) {
      plan.accept = ACCEPT_ALL;
      plan.starts = NO_STARTS;
      this.lastStrategy = "none";
      this.lastSelectivity = 1;
    } else {
      plan.accept = m.bits;
      plan.starts = m.starts;
      this.lastStrategy = "in";
      this.lastSelectivity = m.selectivity;
      share = m.count === 0 ? 1 : this.local.estimate(query, offset, m.bits, m.selectivity);
      this.lastLocalSelectivity = share;
    }
    const cap = Math.min(maxL, this.ctx.maxL);
    const out = this.range;
    const p = m === null ? params : { ...params, pqWhileReading: false };
    rangeRounds(
      this.driver,
      machine,
      query,
      offset,
      p,
      radius,
      cap,
      outIds,
      outDists,
      this.rangeStats,
      out,
      share,
      plan,
    );
    plan.range = null;
    this.lastMachine = machine;
    this.lastRounds = out.rounds;
    this.lastFinalL = out.finalL;
    this.lastEffectiveL = out.finalL;
    return out.count;
  }
}
