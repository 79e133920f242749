// A search as a resumable per-query state machine. A QueryMachine owns one query's scratch — its
// candidate queue, visited set, result set (full retset), PQ table and statistics — allocated once
// and reset per query. A driver (driver.ts) advances it:
//   begin(query, params, now)  seeds the queue, may submit the first reads;
//   step(now) → Done | Ready | Blocked   does a bounded amount of CPU work (expand, submit);
//   onRead(slot, now) / onReadFailed(slot, error)   a read this query submitted completed.
// Ready means "call step() again after a non-blocking poll"; Blocked means "nothing to do until
// one of my reads completes". Reads are owned by `owner` (this machine's number in its driver),
// so several machines can share one reader and ring. Beam and pipe differ only in step/onRead.
// Bench: bench/search-hop.bench.ts
import type { DiskIndexMeta } from "../format/disk-index.ts";
import type { Metric, Vectors } from "../format/vector-type.ts";
import type { DistanceFn } from "../math/distance.ts";
import { pinnedFloat32 } from "../math/pinned.ts";
import { type PqTable, pqDistances } from "../math/pq-table.ts";
import type { StridedRowsFn } from "../math/query-distance.ts";
import type { EntryGraph, EntryScratch } from "./entry-graph.ts";
import type { NodeSource } from "./node-source.ts";
import { Arrived, CandidateQueue } from "./queue.ts";
import { ResultSet } from "./results.ts";
import { QueryStats } from "./stats.ts";
import { type VisitedSet, createVisitedSet, visitedEstimate } from "./visited.ts";

export const Done = 0;
export const Ready = 1;
export const Blocked = 2;
/** A set of point ids (filter/bitset.ts's Bitset is one). */
export interface IdSet {
  has(id: number): boolean;
}

export type Progress = typeof Done | typeof Ready | typeof Blocked;

/** What every machine of one index shares (read-only while searching). */
export interface SearchContext {
  readonly meta: DiskIndexMeta;
  readonly metric: Metric;
  readonly codes: Uint8Array;
  readonly pq: PqTable;
  readonly distance: DistanceFn;
  /**
   * Exact distances of every record of one sector in one call (page search), or null/absent: then
   * page search scores record by record with `distance`. Chosen once, when the index opens.
   */
  readonly sectorRows?: StridedRowsFn | null;
  readonly source: NodeSource;
  readonly entryGraph: EntryGraph | null;
  /** Largest L / width / memL a search may ask for (scratch is sized for them). */
  readonly maxL: number;
  readonly maxWidth: number;
  readonly maxMemL: number;
  /**
   * Visited sets are npts-sized stamp arrays up to this many points, hash sets sized by the query
   * above (default VISITED_ARRAY_MAX_NPTS; 0 forces hash sets, for tests and benchmarks).
   */
  readonly visitedArrayMaxNpts?: number;
  /**
   * Page layout (docs/page-layout.md): the original id of every node, or null when node ids are the
   * original ids. topK() reports original ids through it.
   */
  readonly nodeTags?: Uint32Array | null;
  /**
   * Label-aware graph (build/label-edges.ts): a node's own id in its list ends the edges that
   * unfiltered search follows; the label edges after it serve label-restricted search only.
   */
  readonly labelEdges?: boolean;
}

/** A search's parameters, fully resolved (see disk-index.ts for the defaults). */
export interface SearchParams {
  k: number;
  L: number;
  /** Beam: reads per round. Pipe: most reads in flight. */
  width: number;
  /** Stop after this many reads (Infinity: no limit). */
  readLimit: number;
  /** Seeds: the medoid, or the entry graph's memL nearest sample points. */
  entry: "medoid" | "graph";
  memL: number;
  /** Pipe only: start at min(4, width) and grow while ≤ 10% of reads are wasted. */
  adaptiveWidth: boolean;
  /** Pipe only: submit the first reads, then build the PQ table while they fly. */
  pqWhileReading: boolean;
  /**
   * Pipe only: a read whose node left the top L before it arrived still costs nothing to rank —
   * its record is in memory — so its exact distance joins the results (not its neighbours).
   * PipeANN drops such reads; this recovers the recall it loses to beam search at small L.
   */
  rankWasted: boolean;
  /** Page search only (page-machine.ts): which co-located nodes of a fetched sector get expanded. */
  pageExpand?: "queued" | "all" | "none";
}

const nowMs = (): number => performance.now();

export abstract class QueryMachine {
  readonly ctx: SearchContext;
  readonly owner: number;
  readonly queue: CandidateQueue;
  readonly visited: VisitedSet;
  readonly results: ResultSet;
  readonly stats = new QueryStats();
  /**
   * The query as float32 (normalised for cosine) and its PQ table. C reads both on every hop (fresh
   * ptr() per call), so they live out of the GC heap (src/math/pinned.ts): taking a pointer to them never
   * makes the engine move them first.
   */
  readonly query: Float32Array;
  readonly table: Float32Array;
  /** The last error (a failed read or a corrupt record); the driver throws it. */
  error: Error | null = null;
  /** True from the moment the answer is known. */
  done = true;
  /** This query's reads in flight. */
  inFlight = 0;
  protected params: SearchParams = {
    k: 10,
    L: 10,
    width: 4,
    readLimit: Infinity,
    entry: "medoid",
    memL: 0,
    adaptiveWidth: false,
    pqWhileReading: false,
    rankWasted: false,
  };
  protected startMs = 0;
  protected busySinceMs = 0;
  /** The latest clock reading a helper took (entrySeeds), so callers need not read it again. */
  protected clock = 0;
  /** Sum of the code bytes expand() touched to pull them into cache (meaningless; keeps the loads). */
  touched = 0;
  protected readonly nbrIds: Uint32Array;
  protected readonly nbrDists: Float32Array;
  protected readonly seedIds: Uint32Array;
  protected readonly seedDists: Float32Array;
  protected readonly entryScratch: EntryScratch | null;
  protected readonly npts: number;
  /** Unfiltered expansion stops at a node's own id (label-aware graph, SearchContext.labelEdges). */
  protected readonly labelEdges: boolean;
  /** DiskANN's frozen point (an entry node that is not a data point): expanded, never returned. */
  protected readonly frozenId: number;
  protected readonly dim: number;
  protected readonly M: number;

  constructor(ctx: SearchContext, owner: number) {
    this.ctx = ctx;
    this.owner = owner;
    const meta = ctx.meta;
    this.npts = meta.npts;
    this.labelEdges = ctx.labelEdges === true;
    this.frozenId = meta.numFrozen > 0 ? meta.frozenLoc : -1;
    this.dim = meta.dim;
    this.M = ctx.pq.M;
    this.queue = new CandidateQueue(ctx.maxL);
    const seeds = Math.max(1, ctx.maxMemL);
    this.visited = createVisitedSet(
      meta.npts,
      visitedEstimate(ctx.maxL, ctx.maxWidth, meta.R, seeds),
      ctx.visitedArrayMaxNpts,
    );
    this.results = new ResultSet(4 * ctx.maxL);
    this.query = pinnedFloat32(meta.dim);
    this.table = pinnedFloat32(ctx.pq.tableSize);
    this.nbrIds = new Uint32Array(meta.R + 1);
    this.nbrDists = new Float32Array(meta.R + 1);
    this.seedIds = new Uint32Array(seeds);
    this.seedDists = new Float32Array(seeds);
    this.entryScratch = ctx.entryGraph ? ctx.entryGraph.newScratch(seeds, ctx.visitedArrayMaxNpts) : null;
  }

  /** Starts a query: resets scratch, copies the query, seeds the queue (mode-specific). */
  begin(query: Vectors, queryOffset: number, params: SearchParams, now: number): void {
    this.restart(params, now);
    this.queue.reset(params.L);
    this.visited.clear();
    this.results.clear();
    const q = this.query;
    for (let j = 0; j < this.dim; j++) q[j] = query[queryOffset + j]!;
    if (this.ctx.metric === "cosine") {
      let s = 0;
      for (let j = 0; j < this.dim; j++) s += q[j]! * q[j]!;
      if (s > 0) {
        const inv = 1 / Math.sqrt(s);
        for (let j = 0; j < this.dim; j++) q[j]! *= inv;
      }
    }
    this.seed(now);
  }

  /**
   * The per-run state every run starts from: begin(), and a range round that continues the previous
   * one (filtered-machines.ts), which keeps the queue, the visited set and the results.
   */
  protected restart(params: SearchParams, now: number): void {
    this.params = params;
    this.stats.reset();
    this.error = null;
    this.done = false;
    this.inFlight = 0;
    this.startMs = now;
  }

  protected abstract seed(now: number): void;
  abstract step(now: number): Progress;
  abstract onRead(slot: number, now: number): void;
  /** How many completions the machine needs before step() can progress when Blocked. */
  abstract waitingFor(): number;

  /** A read of this query failed: the search stops with that error (the driver throws it). */
  onReadFailed(slot: number, error: Error, now: number): void {
    void slot;
    this.readReturned(now);
    if (this.error === null) this.error = error;
  }

  /** The k best expanded nodes into outIds/outDists (from outOffset); returns how many. */
  topK(k: number, outIds: Uint32Array, outDists: Float32Array, outOffset = 0): number {
    const n = this.results.topK(k, outIds, outDists, outOffset);
    const tags = this.ctx.nodeTags;
    if (tags) for (let i = outOffset; i < outOffset + n; i++) outIds[i] = tags[outIds[i]!]!;
    return n;
  }

  /** Stops the query: records times, gives back held records, abandons reads still in flight. */
  finish(now: number): void {
    if (this.done) return;
    this.done = true;
    if (this.inFlight > 0) {
      this.stats.ioBusyUs += (now - this.busySinceMs) * 1000;
      this.ctx.source.abandon(this.owner);
      this.inFlight = 0;
    }
    this.releaseHeld();
    const s = this.stats;
    s.latencyUs = (now - this.startMs) * 1000;
    s.cpuUs = Math.max(0, s.latencyUs - s.ioWaitUs);
  }

  /** Gives back every completed read still held (error paths). */
  protected abstract releaseHeld(): void;

  /** Called when the driver spent `us` blocked while this query waited for its reads. */
  addIoWait(us: number): void {
    this.stats.ioWaitUs += us;
  }

  /** Builds the PQ table; `now` is the caller's clock reading (the start). Returns the clock after. */
  protected buildTable(now: number): number {
    this.ctx.pq.populate(this.query, 0, this.table);
    const end = nowMs();
    this.stats.pqTableUs += (end - now) * 1000;
    return end;
  }

  /** Submits a read of `id` at time `now`; the slot, or -1 when no slot is free. Tracks occupancy. */
  protected submitRead(id: number, now: number): number {
    const slot = this.ctx.source.submit(this.owner, id);
    if (slot < 0) return slot;
    if (this.inFlight === 0) this.busySinceMs = now;
    this.inFlight++;
    this.stats.reads++;
    return slot;
  }

  /** Bookkeeping of a returned read (good or failed). */
  protected readReturned(now: number): void {
    this.inFlight--;
    if (this.inFlight === 0) this.stats.ioBusyUs += (now - this.busySinceMs) * 1000;
  }

  /**
   * Expands node `id` held by `handle`: its exact distance joins the results; every neighbour not
   * seen before gets a PQ distance and goes into the queue. Does not release the handle.
   */
  protected expand(handle: number, id: number): void {
    const src = this.ctx.source;
    src.load(handle, id);
    if (id !== this.frozenId)
      this.results.push(id, this.ctx.distance(this.query, 0, src.coords, src.coordsOffset, this.dim));
    this.expandLoaded(id);
  }

  /**
   * The neighbour half of expand() for the node the source decoded last (page search hook:
   * page-machine.ts ranks nodes itself, once each, then calls this).
   */
  protected expandLoaded(id: number): void {
    const src = this.ctx.source;
    this.stats.hops++;
    const nbrs = src.nbrs;
    const off = src.nbrsOffset;
    const degree = this.labelEdges ? plainDegree(nbrs, off, src.degree, id) : src.degree;
    const npts = this.npts;
    const visited = this.visited;
    const ids = this.nbrIds;
    const codes = this.ctx.codes;
    const M = this.M;
    let touched = 0;
    let n = 0;
    for (let k = 0; k < degree; k++) {
      const nb = nbrs[off + k]!;
      if (nb >= npts) throw src.badNeighbor(id, k, nb);
      if (visited.add(nb)) {
        ids[n++] = nb;
        // Load the first byte of its PQ code now: these loads do not depend on each other, so their
        // cache misses overlap, and pqDistances below then finds every code in cache. On 1M points
        // (32 MB of codes) this cut the PQ distances of 64 neighbours from ~21 to ~3 µs.
        touched += codes[nb * M]!;
      }
    }
    this.touched = touched; // keeps the loads from being optimised away
    if (n === 0) return;
    const dists = this.nbrDists;
    pqDistances(this.table, this.ctx.codes, this.M, ids, n, dists);
    this.stats.pqDistances += n;
    const queue = this.queue;
    queue.insertBatch(ids, dists, n);
    for (let i = 0; i < queue.droppedCount; i++) {
      if (queue.droppedStates[i] === Arrived) this.dropArrived(queue.droppedIds[i]!);
    }
  }

  /**
   * expand() for filtered search (filtered-machines.ts): only points in `accept` join the results (a
   * non-matching node still navigates); with `restrict`, only neighbours in `accept` enter the queue
   * (Filtered-DiskANN's rule). Returns whether the node matched. Unfiltered search never calls it.
   */
  protected expandFiltered(handle: number, id: number, accept: IdSet, restrict: boolean): boolean {
    const src = this.ctx.source;
    src.load(handle, id);
    const matched = id !== this.frozenId && accept.has(id);
    if (matched) this.results.push(id, this.ctx.distance(this.query, 0, src.coords, src.coordsOffset, this.dim));
    if (restrict) this.expandLoadedWithin(id, accept);
    else this.expandLoaded(id);
    return matched;
  }

  /** expandLoaded() where only neighbours in `accept` enter the queue (a separate loop: no per-hop test). */
  private expandLoadedWithin(id: number, accept: IdSet): void {
    const src = this.ctx.source;
    this.stats.hops++;
    const nbrs = src.nbrs;
    const off = src.nbrsOffset;
    const degree = src.degree;
    const ids = this.nbrIds;
    let n = 0;
    for (let k = 0; k < degree; k++) {
      const nb = nbrs[off + k]!;
      if (nb >= this.npts) throw src.badNeighbor(id, k, nb);
      if (accept.has(nb) && this.visited.add(nb)) ids[n++] = nb;
    }
    if (n === 0) return;
    pqDistances(this.table, this.ctx.codes, this.M, ids, n, this.nbrDists);
    this.stats.pqDistances += n;
    const queue = this.queue;
    queue.insertBatch(ids, this.nbrDists, n);
    for (let i = 0; i < queue.droppedCount; i++) {
      if (queue.droppedStates[i] === Arrived) this.dropArrived(queue.droppedIds[i]!);
    }
  }

  /** Adds node `id`'s exact distance to the results without expanding it (a wasted read). */
  protected rankOnly(handle: number, id: number): void {
    const src = this.ctx.source;
    src.load(handle, id);
    if (id !== this.frozenId)
      this.results.push(id, this.ctx.distance(this.query, 0, src.coords, src.coordsOffset, this.dim));
  }

  /** A full queue pushed out an Arrived entry (pipelined search holds its record). */
  protected dropArrived(id: number): void {
    void id;
  }

  /**
   * Seeds from the entry graph, starting at time `now`: writes up to L seeds into seedIds/seedDists;
   * returns how many. `clock` holds the time when it returns (`now` when it did nothing).
   */
  protected entrySeeds(now: number): number {
    this.clock = now;
    const g = this.ctx.entryGraph;
    if (g === null || this.entryScratch === null || this.params.entry !== "graph" || this.params.memL <= 0) return 0;
    const memL = Math.min(this.params.memL, this.seedIds.length);
    const n = g.search(this.query, memL, this.entryScratch, this.seedIds, this.seedDists);
    this.clock = nowMs();
    this.stats.entryUs += (this.clock - now) * 1000;
    return Math.min(n, this.params.L);
  }
}

/** Edges before node `id`'s own id in its list (a label-aware graph's marker; all when absent). */
function plainDegree(nbrs: Uint32Array, off: number, degree: number, id: number): number {
  for (let k = 0; k < degree; k++) if (nbrs[off + k] === id) return k;
  return degree;
}
