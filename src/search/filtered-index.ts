// Filtered search on a disk index (issue 12):
//   const f = await FilteredIndex.open("idx/fmnist");            // DiskIndex + its labels/attributes
//   const r = f.search(query, { k: 10, L: 50, mode: "pipe", filter: { label: "3" } });
//   r.ids, r.distances, r.stats, r.strategy, r.selectivity
// Per query the filter is evaluated (cached by its text) into a match set with its exact count, and a
// strategy is chosen once (filter-engine.ts: pre, in, label, post, or auto's pick of pre or in).
// The index's own machines and driver stay as they are; the engine's machines follow them on a second
// driver over the same reader, so unfiltered search through `index` is unchanged.
import { ConfigError } from "../errors.ts";
import type { Vectors } from "../format/vector-type.ts";
import type { LabelStore, Match } from "../filter/label-store.ts";
import { openLabelStore } from "../filter/open-labels.ts";
import type { Filter } from "../filter/predicate.ts";
import { DiskIndex, type DiskIndexOptions, type SearchOptions } from "./disk-index.ts";
import type { SearchDriver } from "./driver.ts";
import {
  type AutoOptions,
  type ChosenStrategy,
  FilterEngine,
  type FilterStrategy,
  type MatchView,
  type ModeParams,
} from "./filter-engine.ts";
import type { FilteredBeamSearch, FilteredPipeSearch } from "./filtered-machines.ts";
import type { QueryMachine } from "./machine.ts";
import type { PrefilterSearch } from "./prefilter.ts";
import type { QueryStats } from "./stats.ts";

export {
  type AutoOptions,
  type ChosenStrategy,
  FILTER_STRATEGIES,
  type FilterStrategy,
} from "./filter-engine.ts";

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

export class FilteredIndex {
  readonly index: DiskIndex;
  readonly labels: LabelStore;
  readonly engine: FilterEngine;

  constructor(index: DiskIndex, labels: LabelStore) {
    this.index = index;
    this.labels = labels;
    this.engine = new FilterEngine(index.context, {
      prior: index.machines,
      plain: { beam: index.machineFor("beam"), pipe: index.machineFor("pipe") },
      spin: index.driver.spin,
      submit: index.submitPolicy,
    });
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

  get driver(): SearchDriver {
    return this.engine.driver;
  }
  get beam(): FilteredBeamSearch {
    return this.engine.beam;
  }
  get pipe(): FilteredPipeSearch {
    return this.engine.pipe;
  }
  get pre(): PrefilterSearch {
    return this.engine.pre;
  }
  get lastStrategy(): ChosenStrategy {
    return this.engine.lastStrategy;
  }
  set lastStrategy(s: ChosenStrategy) {
    this.engine.lastStrategy = s;
  }
  get lastSelectivity(): number {
    return this.engine.lastSelectivity;
  }
  get lastEffectiveL(): number {
    return this.engine.lastEffectiveL;
  }
  set lastEffectiveL(L: number) {
    this.engine.lastEffectiveL = L;
  }
  get lastLocalSelectivity(): number {
    return this.engine.lastLocalSelectivity;
  }
  /** The machine that ran the last search (its stats stay valid until the next). */
  get lastMachine(): QueryMachine {
    return this.engine.lastMachine;
  }
  set lastMachine(m: QueryMachine) {
    this.engine.lastMachine = m;
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
      this.engine.lastStrategy = "none";
      this.engine.lastSelectivity = 1;
      this.engine.lastEffectiveL = params.L;
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

  /** Which strategy `auto` takes (FilterEngine.choose). */
  choose(m: MatchView, L: number, local: number, opts: AutoOptions = {}): "pre" | "in" {
    return this.engine.choose(m, L, local, opts);
  }

  /**
   * The allocation-free form: params from index.resolve(), a match from match(). Writes up to k
   * matching results at outOffset; returns how many (fewer when fewer points match or were reached).
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
    if (query.length - offset < this.index.meta.dim) {
      throw new ConfigError("query", [
        `expected ${this.index.meta.dim} values from offset ${offset}, got ${query.length - offset}`,
      ]);
    }
    return this.engine.searchInto(query, offset, params, m, strategy, outIds, outDists, outOffset, auto);
  }

  close(): void {
    this.index.close();
  }
}
