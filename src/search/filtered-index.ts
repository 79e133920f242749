// Filtered search on a disk index (issue 12):
//   const f = await FilteredIndex.open("idx/fmnist");            // DiskIndex + its labels/attributes
//   const r = f.search(query, { k: 10, L: 50, mode: "pipe", filter: { label: "3" } });
//   r.ids, r.distances, r.stats, r.strategy, r.selectivity
// Per query the filter is evaluated (cached by its text) into a match set with its exact count, and a
// strategy is chosen once:
//   pre     few matches: PQ-score every match, read and exactly rank the best L;
//   in      in-filter traversal: non-matching nodes navigate but never enter the results; the label's
//           start points join the seeds; L grows to L / (local selectivity: the share of the query's
//           PQ-nearest sample points that match, local-selectivity.ts), capped at maxL, so that about
//           L matches stay in the list;
//   label   Filtered-DiskANN's traversal: only matching nodes enter the queue; starts from the label's
//           start points (for label-aware graphs, or labels that follow the geometry);
//   post    naive post-filtering, DiskANN's plain graph search: search unfiltered with L, keep the
//           matching ones among the top L (for comparison; fails on rare labels).
// `auto` picks pre or in by a cost estimate (choose()). The index's own machines and driver stay as
// they are; filtered machines are added on a second driver over the same reader (owners after the
// index's), so unfiltered search through `index` is unchanged.
import { ConfigError } from "../errors.ts";
import type { Vectors } from "../format/vector-type.ts";
import type { LabelStore, Match } from "../filter/label-store.ts";
import { openLabelStore } from "../filter/open-labels.ts";
import type { Filter } from "../filter/predicate.ts";
import { Bitset } from "../filter/bitset.ts";
import { DiskIndex, type DiskIndexOptions, type SearchMode, type SearchOptions } from "./disk-index.ts";
import { SearchDriver } from "./driver.ts";
import { FilteredBeamSearch, FilteredPipeSearch } from "./filtered-machines.ts";
import type { QueryMachine, SearchParams } from "./machine.ts";
import { LocalSelectivity } from "./local-selectivity.ts";
import { PrefilterSearch } from "./prefilter.ts";
import type { QueryStats } from "./stats.ts";

export const FILTER_STRATEGIES = ["auto", "pre", "in", "label", "post"] as const;
export type FilterStrategy = (typeof FILTER_STRATEGIES)[number];
export type ChosenStrategy = Exclude<FilterStrategy, "auto"> | "none";

/** The cost model of `auto` (see FilteredIndex.choose). */
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
const PQ_LOOKUP_NS = 0.8;
const HOP_US = 25;

export interface FilteredSearchOptions extends SearchOptions, AutoOptions {
  filter?: Filter;
  strategy?: FilterStrategy;
}

export interface FilteredResult {
  ids: Uint32Array;
  distances: Float32Array;
  stats: QueryStats;
  strategy: ChosenStrategy;
  selectivity: number;
  /** The L the traversal ran with (in: L / selectivity, capped). */
  effectiveL: number;
}

type Resolved = SearchParams & { mode: SearchMode };

export class FilteredIndex {
  readonly index: DiskIndex;
  readonly labels: LabelStore;
  readonly driver: SearchDriver;
  readonly beam: FilteredBeamSearch;
  readonly pipe: FilteredPipeSearch;
  readonly pre: PrefilterSearch;
  /** The strategy, selectivity and L of the last search. */
  lastStrategy: ChosenStrategy = "none";
  lastSelectivity = 1;
  lastEffectiveL = 0;
  /** The last query's estimated local selectivity (in: L / this). */
  lastLocalSelectivity = 1;
  private readonly local: LocalSelectivity;
  private readonly scratchIds: Uint32Array;
  private readonly scratchDists: Float32Array;

  constructor(index: DiskIndex, labels: LabelStore) {
    this.index = index;
    this.labels = labels;
    const ctx = index.context;
    const base = index.machines.length;
    const none = new Bitset(index.meta.npts);
    this.beam = new FilteredBeamSearch(ctx, base, none);
    this.pipe = new FilteredPipeSearch(ctx, base + 1, none);
    this.pre = new PrefilterSearch(ctx, base + 2);
    this.lastMachine = this.pre;
    this.driver = new SearchDriver(index.source, [...index.machines, this.beam, this.pipe, this.pre], {
      spin: index.driver.spin,
      submit: index.submitPolicy,
    });
    this.local = new LocalSelectivity(ctx);
    this.scratchIds = new Uint32Array(ctx.maxL);
    this.scratchDists = new Float32Array(ctx.maxL);
  }

  static async open(prefix: string, opts: DiskIndexOptions = {}): Promise<FilteredIndex> {
    const index = await DiskIndex.open(prefix, opts);
    try {
      // Label files are by the build's ids; a page layout renumbers nodes (not combined yet).
      if (index.page.nodeTags !== null) {
        throw new ConfigError("index", [
          `${prefix}: filtered search on a page-layout index is not supported yet (build with --layout id)`,
        ]);
      }
      return new FilteredIndex(index, openLabelStore(prefix, index.meta.npts));
    } catch (err) {
      index.close();
      throw err;
    }
  }

  /** Evaluates a filter against the index's labels (errors name `path`). */
  match(filter: Filter, path = "filter"): Match {
    return this.labels.evaluate(filter, path);
  }

  /** Searches one query; without a filter, exactly DiskIndex.search. */
  search(query: Vectors, opts: FilteredSearchOptions = {}, offset = 0): FilteredResult {
    const params = this.index.resolve(opts);
    const ids = new Uint32Array(params.k);
    const distances = new Float32Array(params.k);
    let n: number;
    let stats: QueryStats;
    if (opts.filter === undefined) {
      n = this.index.searchInto(query, offset, params, ids, distances, 0);
      stats = this.index.machineFor(params.mode).stats.clone();
      this.lastStrategy = "none";
      this.lastSelectivity = 1;
      this.lastEffectiveL = params.L;
    } else {
      const m = this.match(opts.filter);
      n = this.searchInto(query, offset, params, m, opts.strategy ?? "auto", ids, distances, 0, opts);
      stats = this.lastMachine.stats.clone();
    }
    return {
      ids: ids.subarray(0, n),
      distances: distances.subarray(0, n),
      stats,
      strategy: this.lastStrategy,
      selectivity: this.lastSelectivity,
      effectiveL: this.lastEffectiveL,
    };
  }

  /** The machine that ran the last filtered search (its stats stay valid until the next). */
  lastMachine: QueryMachine;

  /**
   * Which strategy `auto` takes. Pre-filtering costs one PQ distance per match (M lookups, ~0.8 ns
   * each here) and reads L records; in-filter traversal reads about L / local selectivity records
   * (~hopUs each on this machine kind). Below preAlwaysPoints matches pre-filtering always wins; above,
   * the cheaper by that estimate (preMaxPoints, when given, replaces the estimate by a plain threshold).
   */
  choose(m: Match, L: number, local: number, opts: AutoOptions = {}): "pre" | "in" {
    if (opts.preMaxPoints !== undefined) return m.count <= opts.preMaxPoints ? "pre" : "in";
    if (m.count <= (opts.preAlwaysPoints ?? PRE_ALWAYS_POINTS)) return "pre";
    const M = this.index.files.pivots.M;
    const preUs = (m.count * M * (opts.pqLookupNs ?? PQ_LOOKUP_NS)) / 1000;
    const inUs = (L / Math.max(local, 1e-3) - L) * (opts.hopUs ?? HOP_US);
    return preUs <= inUs ? "pre" : "in";
  }

  /**
   * The allocation-free form: params from index.resolve(), a match from match(). Writes up to k
   * matching results at outOffset; returns how many (fewer when fewer points match or were reached).
   */
  searchInto(
    query: Vectors,
    offset: number,
    params: Resolved,
    m: Match,
    strategy: FilterStrategy,
    outIds: Uint32Array,
    outDists: Float32Array,
    outOffset: number,
    auto: AutoOptions = {},
  ): number {
    if (query.length - offset < this.index.meta.dim) {
      throw new ConfigError("query", [
        `expected ${this.index.meta.dim} values from offset ${offset}, got ${query.length - offset}`,
      ]);
    }
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
    const maxL = this.index.context.maxL;
    if (m.count === 0) {
      this.lastEffectiveL = 0;
      this.lastMachine = this.pre;
      this.pre.stats.reset();
      return 0;
    }
    switch (chosen) {
      case "pre": {
        const pre = this.pre;
        pre.candidates = m.ids();
        this.lastEffectiveL = Math.min(params.L, m.count);
        this.lastMachine = pre;
        const width = Math.min(this.index.context.maxWidth, params.width * 2);
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
        const machine = this.index.machineFor(params.mode);
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

  close(): void {
    this.index.close();
  }
}
