// Filtered and range queries of one served index (issue 12): the index's labels and a FilterEngine on
// a ring of its own over the same index file (sharing the PQ codes, node cache and entry graph), so
// these queries never touch the slots of the async scheduler's ring. Each query runs to its answer
// at once on this thread (not sliced like unfiltered queries: the event loop waits for it — a
// filtered query costs about an unfiltered one; a range query several), with a turn of the event
// loop between the queries of a batch. Filters are evaluated against the labels (cached by text);
// an unknown label or an index without labels is a 400 naming the filter's path.
import { ConfigError } from "../errors.ts";
import type { LabelStore } from "../filter/label-store.ts";
import { openLabelStore } from "../filter/open-labels.ts";
import { nodeReadBytes } from "../format/disk-index.ts";
import { openSectorReader } from "../io/open-reader.ts";
import type { SectorReader } from "../io/reader.ts";
import type { DiskIndex } from "../search/disk-index.ts";
import { FilterEngine, type MatchView, type ModeParams } from "../search/filter-engine.ts";
import { NodeSource } from "../search/node-source.ts";
import type { QueryStats } from "../search/stats.ts";
import { HttpError } from "./http-error.ts";
import type { SearchRequest } from "./search-request.ts";

/** Range and in-filter searches may grow their list to this (or the index's maxL when larger). */
const GROW_MAX_L = 1024;

export interface FilteredAnswer {
  ids: Uint32Array;
  distances: Float32Array;
  stats: QueryStats;
  strategy: string;
  selectivity: number;
  effectiveL: number;
  rounds: number | null;
}

export class ServedFilters {
  readonly labels: LabelStore;
  private readonly index: DiskIndex;
  private readonly reader: SectorReader;
  private readonly engine: FilterEngine;
  private readonly outIds: Uint32Array;
  private readonly outDists: Float32Array;

  constructor(index: DiskIndex) {
    this.index = index;
    this.labels = openLabelStore(index.prefix, index.meta.npts);
    const maxWidth = index.context.maxWidth;
    this.reader = openSectorReader(index.files.diskFile, {
      slotBytes: nodeReadBytes(index.meta),
      slotCount: 2 * maxWidth,
      backend: index.reader.backend === "pread" ? "pread" : "auto",
      direct: true,
    });
    const maxL = Math.max(index.context.maxL, GROW_MAX_L);
    const ctx = { ...index.context, source: new NodeSource(this.reader, index.meta, index.cache), maxL };
    this.engine = new FilterEngine(ctx, { submit: index.submitPolicy });
    this.outIds = new Uint32Array(maxL);
    this.outDists = new Float32Array(maxL);
  }

  /** The request's filter against the labels; a 400 naming its path when a label or attribute is unknown. */
  match(req: SearchRequest): MatchView | null {
    if (req.filter === null) return null;
    if (this.index.page.nodeTags !== null)
      throw new HttpError(400, "E_FILTER", "Filtered search on a page-layout index is not supported yet", "filter");
    try {
      return this.labels.evaluate(req.filter, "filter");
    } catch (err) {
      if (err instanceof ConfigError) throw new HttpError(400, err.code, err.problems[0] ?? err.message, err.path);
      throw err;
    }
  }

  /** Searches row `row` of req.vectors: filtered k-NN, or range search (with or without a filter). */
  search(req: SearchRequest, m: MatchView | null, row: number): FilteredAnswer {
    const e = this.engine;
    const params = this.index.resolve({ k: req.k, L: req.L, mode: req.mode, width: req.width }) as ModeParams;
    const offset = row * this.index.dim;
    let n: number;
    let stats: QueryStats;
    if (req.radius !== null) {
      n = e.rangeInto(req.vectors, offset, params, req.radius, GROW_MAX_L, m, this.outIds, this.outDists);
      stats = e.rangeStats;
    } else if (m === null) {
      n = e.plainInto(req.vectors, offset, params, this.outIds, this.outDists, 0);
      stats = e.lastMachine.stats;
    } else {
      n = e.searchInto(req.vectors, offset, params, m, req.strategy, this.outIds, this.outDists, 0);
      stats = e.lastMachine.stats;
    }
    return {
      ids: this.outIds.slice(0, n),
      distances: this.outDists.slice(0, n),
      stats: stats.clone(),
      strategy: e.lastStrategy,
      selectivity: m === null ? 1 : m.selectivity,
      effectiveL: e.lastEffectiveL,
      rounds: req.radius !== null ? e.lastRounds : null,
    };
  }

  close(): void {
    try {
      this.engine.driver.drain();
    } finally {
      this.reader.close();
    }
  }
}
