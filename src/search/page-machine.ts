// Page search: what beam and pipe share when a read brings a whole sector of C nodes. On an index
// relayouted by `ringann relayout` (docs/page-layout.md) node p lives in sector p / C, so the other
// nodes of a fetched sector are ids first..first+C-1 and tend to be the read node's neighbours.
// When a sector arrives every node in it is scored exactly (the results hold each node once), and
// the policy decides which of them are expanded without a read of their own:
//   "queued" (default)  a co-located node that is an open candidate of the top L, or that enters the
//                       top L by its PQ distance, is expanded — what a later read would have done;
//   "all"               every co-located node not yet expanded is expanded (PipeANN's page search);
//   "none"              scored only (the result set gains, the candidate list does not).
// Either way a co-located node that was never seen is marked seen, so no sector is read twice for
// candidates it already answered. The variant is chosen once at open (DiskIndex), not per hop.
import { pqDistances } from "../math/pq-table.ts";
import { QueryMachine, type SearchContext, type SearchParams } from "./machine.ts";
import type { Vectors } from "../format/vector-type.ts";
import { Submitted, Unvisited } from "./queue.ts";
import { type VisitedSet, createVisitedSet, visitedEstimate } from "./visited.ts";

export type PageExpand = "queued" | "all" | "none";
export const PAGE_EXPAND_POLICIES = ["queued", "all", "none"] as const satisfies readonly PageExpand[];

/** What a scan decided for a co-located node. */
export const MATE_SKIP = 0;
/** Expand it now from this sector (its queue entry, if any, is at `matePos`). */
export const MATE_EXPAND = 1;

export abstract class PageMachine extends QueryMachine {
  /** Nodes per sector. */
  protected readonly perSector: number;
  /** Nodes already in the results (a node is scored once, whichever way its record came). */
  protected readonly ranked: VisitedSet;
  protected expandPolicy: PageExpand = "queued";
  /** Queue position of the mate the last decideMate() returned MATE_EXPAND for (-1: not queued). */
  protected matePos = -1;
  private readonly mateId = new Uint32Array(1);
  private readonly mateDist = new Float32Array(1);

  constructor(ctx: SearchContext, owner: number) {
    super(ctx, owner);
    this.perSector = Math.max(1, ctx.meta.nodesPerSector);
    const expected = visitedEstimate(ctx.maxL, ctx.maxWidth, this.perSector, Math.max(1, ctx.maxMemL));
    this.ranked = createVisitedSet(ctx.meta.npts, expected, ctx.visitedArrayMaxNpts);
  }

  override begin(query: Vectors, queryOffset: number, params: SearchParams, now: number): void {
    this.ranked.clear();
    this.expandPolicy = params.pageExpand ?? "queued";
    super.begin(query, queryOffset, params, now);
  }

  /** The sector number (relative to the first node sector) of node `id`. */
  protected sectorOf(id: number): number {
    return Math.floor(id / this.perSector);
  }

  /** Adds the loaded node's exact distance to the results unless it is there already. */
  protected rankLoaded(id: number): void {
    if (id === this.frozenId || !this.ranked.add(id)) return;
    const src = this.ctx.source;
    this.results.push(id, this.ctx.distance(this.query, 0, src.coords, src.coordsOffset, this.dim));
  }

  /** expand() with each node ranked once. */
  protected expandOnce(handle: number, id: number): void {
    this.ctx.source.load(handle, id);
    this.rankLoaded(id);
    this.expandLoaded(id);
  }

  /**
   * Loads co-located node `id` from `handle`, scores it, and says whether to expand it now
   * (MATE_EXPAND, queue position in matePos, or -1 when it is not in the queue) or not.
   */
  protected decideMate(handle: number, id: number): number {
    this.ctx.source.load(handle, id);
    this.rankLoaded(id);
    this.stats.pageNodes++;
    const policy = this.expandPolicy;
    if (policy === "none") return MATE_SKIP;
    const q = this.queue;
    const pos = q.findOpen(id);
    if (pos >= 0) {
      const st = q.state[pos]!;
      if (st !== Unvisited && st !== Submitted) return MATE_SKIP; // Arrived elsewhere or Visited
      this.matePos = pos;
      return MATE_EXPAND;
    }
    if (this.visited.add(id)) {
      // Never seen: it joins the candidates by its PQ distance like any neighbour would.
      this.mateId[0] = id;
      pqDistances(this.table, this.ctx.codes, this.M, this.mateId, 1, this.mateDist);
      this.stats.pqDistances++;
      const at = q.insert(id, this.mateDist[0]!);
      this.afterMateInsert();
      if (at >= 0) {
        this.matePos = at;
        return MATE_EXPAND;
      }
      if (policy === "all") {
        this.matePos = -1;
        return MATE_EXPAND;
      }
      return MATE_SKIP;
    }
    if (policy === "all") {
      this.matePos = -1;
      return MATE_EXPAND;
    }
    return MATE_SKIP;
  }

  /** After a mate's queue insert: a subclass handles the entry it may have pushed out. */
  protected afterMateInsert(): void {}

  /** The first id of the sector holding `id`, and one past its last. */
  protected sectorFirst(id: number): number {
    return id - (id % this.perSector);
  }

  protected sectorEnd(first: number): number {
    return Math.min(this.npts, first + this.perSector);
  }
}
