// Query machines for filtered search (issue 12). They are separate subclasses of the beam and pipe
// machines, created only for an index with labels, so an unfiltered search runs exactly the code it
// always did: the filtered variant is chosen once per query (which machine runs it), never per hop.
// Each overrides expansion with a filter:
//   results only ever take matching points (non-matching nodes can still be expanded: they navigate);
//   with `restrict`, a neighbour enters the queue only if it matches (Filtered-DiskANN's search rule,
//   which needs the matching points to be connected among themselves: a label-aware graph, or labels
//   that follow the geometry);
//   the filter's label start points join the seeds.
// The expansion itself is QueryMachine.expandFiltered (machine.ts).
// Range search runs on these machines too (accepting every point when it has no filter): with a
// RangeMemory in `range`, each expansion notes its neighbours, and a begin() with `resumeL` set
// continues the finished query with list size resumeL instead of starting over (range-search.ts).
// Bench: bench/filtered.ts, bench/range-resume.ts
import type { Vectors } from "../format/vector-type.ts";
import { BeamSearch } from "./beam.ts";
import type { IdSet, SearchContext, SearchParams } from "./machine.ts";
import { PipeSearch } from "./pipe.ts";
import type { RangeMemory } from "./range-memory.ts";

/** What a filtered query carries into its machine (set before each begin()). */
export interface FilterPlan {
  accept: IdSet;
  restrict: boolean;
  starts: Uint32Array;
  /** Range search: the memory its rounds share (null otherwise). */
  range: RangeMemory | null;
  /** > 0: the next begin() continues the last query with this list size (range rounds). */
  resumeL: number;
}

/** Every point (range search without a filter). */
export const ACCEPT_ALL: IdSet = { has: () => true };

const EMPTY = new Uint32Array(0);

export class FilteredBeamSearch extends BeamSearch {
  plan: FilterPlan;
  /** Matching points expanded in the current query. */
  matched = 0;

  constructor(ctx: SearchContext, owner: number, accept: IdSet) {
    super(ctx, owner);
    this.plan = { accept, restrict: false, starts: EMPTY, range: null, resumeL: 0 };
  }

  override begin(query: Vectors, queryOffset: number, params: SearchParams, now: number): void {
    const plan = this.plan;
    if (plan.resumeL > 0 && plan.range !== null) {
      // Continue: the list grows, the visited set and the results stay (see range-memory.ts).
      this.restart(params, now);
      plan.range.refill(this.queue, this.results, this.table, this.ctx.codes, this.M, plan.resumeL);
      plan.resumeL = 0;
      return;
    }
    plan.range?.reset();
    super.begin(query, queryOffset, params, now);
  }

  protected override entrySeeds(now: number): number {
    this.matched = 0;
    return addStartSeeds(
      super.entrySeeds(now),
      this.plan.starts,
      this.seedIds,
      this.seedDists,
      this.ctx.meta.medoid,
      this.params.L,
    );
  }

  protected override expand(handle: number, id: number): void {
    // The neighbours are noted before the expansion: it may decode other records (wasted reads).
    const range = this.plan.range;
    if (range !== null) noteNeighbours(this.ctx, handle, id, range);
    if (this.expandFiltered(handle, id, this.plan.accept, this.plan.restrict)) this.matched++;
  }
}

export class FilteredPipeSearch extends PipeSearch {
  plan: FilterPlan;
  matched = 0;

  constructor(ctx: SearchContext, owner: number, accept: IdSet) {
    super(ctx, owner);
    this.plan = { accept, restrict: false, starts: EMPTY, range: null, resumeL: 0 };
  }

  override begin(query: Vectors, queryOffset: number, params: SearchParams, now: number): void {
    const plan = this.plan;
    if (plan.resumeL > 0 && plan.range !== null) {
      // Continue: the list grows, the visited set and the results stay (see range-memory.ts).
      this.restart(params, now);
      plan.range.refill(this.queue, this.results, this.table, this.ctx.codes, this.M, plan.resumeL);
      plan.resumeL = 0;
      return;
    }
    plan.range?.reset();
    super.begin(query, queryOffset, params, now);
  }

  protected override entrySeeds(now: number): number {
    this.matched = 0;
    return addStartSeeds(
      super.entrySeeds(now),
      this.plan.starts,
      this.seedIds,
      this.seedDists,
      this.ctx.meta.medoid,
      this.params.L,
    );
  }

  protected override expand(handle: number, id: number): void {
    // The neighbours are noted before the expansion: it may decode other records (wasted reads).
    const range = this.plan.range;
    if (range !== null) noteNeighbours(this.ctx, handle, id, range);
    if (this.expandFiltered(handle, id, this.plan.accept, this.plan.restrict)) this.matched++;
  }

  protected override rankOnly(handle: number, id: number): void {
    const src = this.ctx.source;
    src.load(handle, id);
    if (id !== this.frozenId && this.plan.accept.has(id)) {
      this.results.push(id, this.ctx.distance(this.query, 0, src.coords, src.coordsOffset, this.dim));
    }
  }
}

function noteNeighbours(ctx: SearchContext, handle: number, id: number, range: RangeMemory): void {
  const src = ctx.source;
  src.load(handle, id);
  range.note(src.nbrs, src.nbrsOffset, src.degree);
}

/**
 * Seeds: the label start points first (they match), then the usual seeds (`n` entry-graph seeds, or
 * the medoid when there were none). Distances are placeholders in ascending order (0 for starts): both
 * machines re-rank seeds by PQ distance before choosing among them (pipe: with pqWhileReading off).
 */
function addStartSeeds(
  n: number,
  starts: Uint32Array,
  ids: Uint32Array,
  dists: Float32Array,
  medoid: number,
  L: number,
): number {
  if (starts.length === 0) return n;
  if (n === 0) {
    ids[0] = medoid;
    dists[0] = 0;
    n = 1;
  }
  const room = Math.min(ids.length, L);
  const s = Math.min(starts.length, room - 1);
  const keep = Math.min(n, room - s);
  for (let i = keep - 1; i >= 0; i--) {
    ids[i + s] = ids[i]!;
    dists[i + s] = dists[i]!;
  }
  for (let i = 0; i < s; i++) {
    ids[i] = starts[i]!;
    dists[i] = 0;
  }
  return s + keep;
}
