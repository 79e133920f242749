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
//   "deferred"          as "queued", but a co-located node still waiting in the top L is not expanded
//                       now: its neighbour list is kept (a copy; the read slot goes back) and it is
//                       expanded without a read when the search reaches it — so one that leaves the
//                       top L first costs no expansion (PQ distances of its neighbours);
//   "none"              scored only (the result set gains, the candidate list does not).
// Either way a co-located node that was never seen is marked seen, so no sector is read twice for
// candidates it already answered. The variant is chosen once at open (DiskIndex), not per hop.
import type { Vectors } from "../format/vector-type.ts";
import { pinnedFloat32 } from "../math/pinned.ts";
import { pqDistances } from "../math/pq-table.ts";
import { QueryMachine, type SearchContext, type SearchParams } from "./machine.ts";
import { Submitted, Unvisited, Visited } from "./queue.ts";
import { type VisitedSet, createVisitedSet, visitedEstimate } from "./visited.ts";

export type PageExpand = "queued" | "deferred" | "all" | "none";
export const PAGE_EXPAND_POLICIES = ["queued", "deferred", "all", "none"] as const satisfies readonly PageExpand[];

/** What a scan decided for a co-located node. */
export const MATE_SKIP = 0;
/** Expand it now from this sector (its queue entry, if any, is at `matePos`). */
export const MATE_EXPAND = 1;
/** Policy "deferred": keep its neighbour list (storeMate) and leave its queue entry Unvisited. */
export const MATE_STORE = 2;

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
  /** Policy "deferred": neighbour lists of co-located nodes kept until the search reaches them. */
  private readonly storeIds: Uint32Array;
  private readonly storeDegrees: Uint16Array;
  private readonly storeNbrs: Uint32Array;
  protected storeCount = 0;
  /** Every id ever stored this query (an entry may since have been reclaimed: takeStored checks). */
  private readonly storedEver: VisitedSet;
  private readonly R: number;

  constructor(ctx: SearchContext, owner: number) {
    super(ctx, owner);
    this.perSector = Math.max(1, ctx.meta.nodesPerSector);
    const expected = visitedEstimate(ctx.maxL, ctx.maxWidth, this.perSector, Math.max(1, ctx.maxMemL));
    this.ranked = createVisitedSet(ctx.meta.npts, expected, ctx.visitedArrayMaxNpts);
    this.sectorDists = pinnedFloat32(this.perSector);
    this.recordStride = ctx.meta.maxNodeBytes;
    this.R = ctx.meta.R;
    this.storeIds = new Uint32Array(ctx.maxL);
    this.storeDegrees = new Uint16Array(ctx.maxL);
    this.storeNbrs = new Uint32Array(ctx.maxL * ctx.meta.R);
    this.storedEver = createVisitedSet(ctx.meta.npts, ctx.maxL, ctx.visitedArrayMaxNpts);
  }

  override begin(query: Vectors, queryOffset: number, params: SearchParams, now: number): void {
    this.ranked.clear();
    this.storedEver.clear();
    this.storeCount = 0;
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
        return policy === "deferred" ? MATE_STORE : MATE_EXPAND;
      }
    } else {
      const pos = q.findOpen(id);
      if (pos >= 0) {
        const st = q.state[pos]!;
        if (st !== Unvisited && st !== Submitted) return MATE_SKIP; // Arrived elsewhere or Visited
        this.matePos = pos;
        // A Submitted one was chosen already (its sector was in flight): expand it now either way.
        if (policy === "deferred" && st === Unvisited) return this.storedEver.has(id) ? MATE_SKIP : MATE_STORE;
        return MATE_EXPAND;
      }
    }
    if (policy === "all") {
      this.matePos = -1;
      return MATE_EXPAND;
    }
    return MATE_SKIP;
  }

  /** Keeps the neighbour list of co-located node `id` (held by `handle`) until takeStored(id). */
  protected storeMate(handle: number, id: number): void {
    if (this.storeCount === this.storeIds.length) this.reclaimStore();
    if (this.storeCount === this.storeIds.length) return; // every kept one still waits: read it later instead
    const src = this.ctx.source;
    src.load(handle, id);
    const i = this.storeCount++;
    this.storeIds[i] = id;
    this.storeDegrees[i] = src.degree;
    const nbrs = src.nbrs;
    const off = src.nbrsOffset;
    const out = this.storeNbrs;
    const at = i * this.R;
    for (let k = 0; k < src.degree; k++) out[at + k] = nbrs[off + k]!;
    this.storedEver.add(id);
  }

  /** Drops kept lists whose node has left the queue or been expanded. */
  private reclaimStore(): void {
    const q = this.queue;
    let kept = 0;
    for (let i = 0; i < this.storeCount; i++) {
      const pos = q.findOpen(this.storeIds[i]!);
      if (pos < 0 || q.state[pos] === Visited) continue;
      if (kept !== i) {
        this.storeIds[kept] = this.storeIds[i]!;
        this.storeDegrees[kept] = this.storeDegrees[i]!;
        this.storeNbrs.copyWithin(kept * this.R, i * this.R, i * this.R + this.storeDegrees[i]!);
      }
      kept++;
    }
    this.storeCount = kept;
  }

  /** The store index of node `id`'s kept neighbour list, or -1 (valid until the next store change). */
  protected findStored(id: number): number {
    if (this.storeCount === 0 || !this.storedEver.has(id)) return -1;
    const ids = this.storeIds;
    for (let i = 0; i < this.storeCount; i++) if (ids[i] === id) return i;
    return -1;
  }

  /** Expands node `id` from its kept neighbour list at store index `i`, then frees that entry. */
  protected expandStored(i: number, id: number): void {
    this.ctx.source.useNeighbours(this.storeNbrs, i * this.R, this.storeDegrees[i]!);
    this.expandLoaded(id);
    const last = --this.storeCount;
    if (i !== last) {
      this.storeIds[i] = this.storeIds[last]!;
      this.storeDegrees[i] = this.storeDegrees[last]!;
      this.storeNbrs.copyWithin(i * this.R, last * this.R, last * this.R + this.storeDegrees[last]!);
    }
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
