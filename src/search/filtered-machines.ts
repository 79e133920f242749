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
// Bench: bench/filtered.ts
import type { Bitset } from "../filter/bitset.ts";
import { BeamSearch } from "./beam.ts";
import type { SearchContext } from "./machine.ts";
import { PipeSearch } from "./pipe.ts";

/** What a filtered query carries into its machine (set before each begin()). */
export interface FilterPlan {
  accept: Bitset;
  restrict: boolean;
  starts: Uint32Array;
}

const EMPTY = new Uint32Array(0);

export class FilteredBeamSearch extends BeamSearch {
  plan: FilterPlan;
  /** Matching points expanded in the current query. */
  matched = 0;

  constructor(ctx: SearchContext, owner: number, accept: Bitset) {
    super(ctx, owner);
    this.plan = { accept, restrict: false, starts: EMPTY };
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
    if (this.expandFiltered(handle, id, this.plan.accept, this.plan.restrict)) this.matched++;
  }
}

export class FilteredPipeSearch extends PipeSearch {
  plan: FilterPlan;
  matched = 0;

  constructor(ctx: SearchContext, owner: number, accept: Bitset) {
    super(ctx, owner);
    this.plan = { accept, restrict: false, starts: EMPTY };
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
