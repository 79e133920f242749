// Page search: what beam and pipe share when a read brings a whole sector of C nodes. On an index
// relayouted by `ringann relayout` (docs/page-layout.md) node p lives in sector p / C, so the other
// nodes of a fetched sector are ids first..first+C-1 and tend to be the read node's neighbours.
// When a sector arrives every node in it is scored exactly (the results hold each node once) — in
// one native call per sector when the library has the kernel (c/kernels.c rk_*_strided: one FFI
// call, and the records' coordinates prefetched together: O_DIRECT leaves the sector in no cache) —
// and the policy decides which of them are expanded without a read of their own:
//   "queued" (default)  a co-located node that is an open candidate of the top L, or that enters the
//                       top L by its PQ distance, is expanded — what a later read would have done;
//   "all"               every co-located node not yet expanded is expanded (PipeANN's page search);
//   "none"              scored only (the result set gains, the candidate list does not).
// Either way a co-located node that was never seen is marked seen, so no sector is read twice for
// candidates it already answered. The variant is chosen once at open (DiskIndex), not per hop.
import type { Vectors } from "../format/vector-type.ts";
import { pinnedFloat32 } from "../math/pinned.ts";
import { pqDistances } from "../math/pq-table.ts";
import { QueryMachine, type SearchContext, type SearchParams } from "./machine.ts";
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
  /** Exact distances of one sector's records (rankSector), out of the GC heap: C writes them. */
  private readonly sectorDists: Float32Array;
  /** Bytes from one record of a sector to the next. */
  private readonly recordStride: number;
  private readonly mateId = new Uint32Array(1);
  private readonly mateDist = new Float32Array(1);

  constructor(ctx: SearchContext, owner: number) {
    super(ctx, owner);
    this.perSector = Math.max(1, ctx.meta.nodesPerSector);
    const expected = visitedEstimate(ctx.maxL, ctx.maxWidth, this.perSector, Math.max(1, ctx.maxMemL));
    this.ranked = createVisitedSet(ctx.meta.npts, expected, ctx.visitedArrayMaxNpts);
    this.sectorDists = pinnedFloat32(this.perSector);
    this.recordStride = ctx.meta.maxNodeBytes;
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

  /**
   * Adds the exact distance of every node of the sector read into `handle` (ids first..end-1, `skip`
   * excepted; -1: none) to the results, each node once. Natively one call for the whole sector.
   */
  protected rankSector(handle: number, first: number, end: number, skip: number): void {
    const ranked = this.ranked;
    const frozen = this.frozenId;
    const rows = this.ctx.sectorRows;
    if (rows == null) {
      const src = this.ctx.source;
      for (let j = first; j < end; j++) {
        if (j === skip || j === frozen || ranked.has(j)) continue;
        src.load(handle, j);
        this.rankLoaded(j);
      }
      return;
    }
    let wanted = 0;
    for (let j = first; j < end; j++) if (j !== skip && j !== frozen && !ranked.has(j)) wanted++;
    if (wanted === 0) return;
    const dists = this.sectorDists;
    rows(this.query, this.ctx.source.sectorBytes(handle), 0, this.dim, this.recordStride, end - first, dists);
    const results = this.results;
    for (let j = first; j < end; j++) {
      if (j === skip || j === frozen || !ranked.add(j)) continue;
      results.push(j, dists[j - first]!);
    }
  }

  /** expand() with each node ranked once. */
  protected expandOnce(handle: number, id: number): void {
    this.ctx.source.load(handle, id);
    this.rankLoaded(id);
    this.expandLoaded(id);
  }

  /**
   * Says whether co-located node `id` (already ranked by rankSector) is expanded now: MATE_EXPAND,
   * with its queue position in matePos (-1 when it is not in the queue), or MATE_SKIP.
   */
  protected decideMate(id: number): number {
    this.stats.pageNodes++;
    const policy = this.expandPolicy;
    if (policy === "none") return MATE_SKIP;
    const q = this.queue;
    if (this.visited.add(id)) {
      // Never seen (so not in the queue): it joins the candidates by its PQ distance like any neighbour would.
      this.mateId[0] = id;
      pqDistances(this.table, this.ctx.codes, this.M, this.mateId, 1, this.mateDist);
      this.stats.pqDistances++;
      const at = q.insert(id, this.mateDist[0]!);
      this.afterMateInsert();
      if (at >= 0) {
        this.matePos = at;
        return MATE_EXPAND;
      }
    } else {
      const pos = q.findOpen(id);
      if (pos >= 0) {
        const st = q.state[pos]!;
        if (st !== Unvisited && st !== Submitted) return MATE_SKIP; // Arrived elsewhere or Visited
        this.matePos = pos;
        return MATE_EXPAND;
      }
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
