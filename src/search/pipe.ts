// Pipelined search (PipeANN, OSDI'25): keep up to W reads in flight and never wait for a batch.
// Each step: submit one read for the best Unvisited candidate (after an initial burst), expand the
// best candidate whose record has arrived, stop when every entry of the top L is Visited; reads
// still in flight then are abandoned (the driver releases them when they complete). A read whose
// node left the top L before it arrived is wasted and never expanded.
// Refinements, each switchable (SearchParams): adaptive width (start at min(4, W), +1 whenever,
// after convergence — the best unread candidate at queue position ≥ 5 — at most 10% of the reads
// completed since were wasted); seeds from the in-memory entry graph; the PQ table built while the
// first reads are in flight (seeds are ranked by their exact entry-graph distance until then).
// Bench: bench/search-hop.bench.ts
import { invariant } from "../errors.ts";
import { pqDistances } from "../math/pq-table.ts";
import { Blocked, Done, type Progress, QueryMachine, Ready, type SearchContext } from "./machine.ts";
import { NO_HANDLE } from "./node-source.ts";

const CONVERGED_MARKER = 5;
const WASTE_THRESHOLD = 0.1;

export class PipeSearch extends QueryMachine {
  /** Candidates whose record is available (read completed or cached), not yet expanded. */
  private readonly arrivedIds: Uint32Array;
  private readonly arrivedHandles: Int32Array;
  private arrivedCount = 0;
  private width = 4;
  private tableReady = false;
  private slotStarved = false;
  private maxMarker = 0;
  private readsIn = 0;
  private readsTotal = 0;
  private newArrivals = false;
  /** Steps alternate: submit one read (then the driver flushes it), expand one node. */
  private expandNext = false;

  constructor(ctx: SearchContext, owner: number) {
    super(ctx, owner);
    this.arrivedIds = new Uint32Array(ctx.maxL);
    this.arrivedHandles = new Int32Array(ctx.maxL);
  }

  protected seed(now: number): void {
    const p = this.params;
    this.arrivedCount = 0;
    this.width = p.adaptiveWidth ? Math.min(4, p.width) : p.width;
    this.tableReady = false;
    this.slotStarved = false;
    this.maxMarker = 0;
    this.readsIn = 0;
    this.readsTotal = 0;
    this.newArrivals = false;
    this.expandNext = false;
    const n = this.entrySeeds(now);
    now = this.clock;
    if (n > 0) {
      // Ascending exact distances from the entry graph: a valid order before PQ distances exist.
      for (let i = 0; i < n; i++)
        if (this.visited.add(this.seedIds[i]!)) this.queue.append(this.seedIds[i]!, this.seedDists[i]!);
    } else {
      const medoid = this.ctx.meta.medoid;
      this.visited.add(medoid);
      this.queue.append(medoid, 0);
    }
    if (!p.pqWhileReading) now = this.rankSeeds(now);
    for (let i = 0; i < this.width; i++) if (!this.submitBest(now)) break;
  }

  /** Builds the PQ table (from time `now`) and re-ranks the seeds by PQ distance (states kept). */
  private rankSeeds(now: number): number {
    const end = this.buildTable(now);
    const q = this.queue;
    const scratch = this.seedDists;
    invariant(q.size <= scratch.length, "more seeds than seed scratch");
    pqDistances(this.table, this.ctx.codes, this.M, q.ids, q.size, scratch);
    this.stats.pqDistances += q.size;
    q.rescore(scratch);
    this.tableReady = true;
    return end;
  }

  /**
   * Submits one read for the best Unvisited candidate; cached candidates met on the way become
   * Arrived without a read. False when nothing was submitted (none left, limit, or no free slot).
   */
  private submitBest(now: number): boolean {
    const q = this.queue;
    const src = this.ctx.source;
    for (;;) {
      if (this.stats.reads >= this.params.readLimit) return false;
      const pos = q.popBestUnvisited();
      if (pos < 0) return false;
      const id = q.ids[pos]!;
      const cached = src.cached(id);
      if (cached !== NO_HANDLE) {
        q.markArrivedAt(pos);
        this.pushArrived(id, cached);
        this.stats.cacheHits++;
        continue;
      }
      const slot = this.submitRead(id, now);
      if (slot < 0) {
        q.revert(pos);
        this.slotStarved = true;
        return false;
      }
      this.slotStarved = false;
      return true;
    }
  }

  step(now: number): Progress {
    if (this.done) return Done;
    if (this.error !== null) {
      this.finish(now);
      return Done;
    }
    if (!this.tableReady) now = this.rankSeeds(now);
    if (this.newArrivals) {
      this.newArrivals = false;
      if (
        this.params.adaptiveWidth &&
        this.maxMarker >= CONVERGED_MARKER &&
        this.readsTotal > 0 &&
        this.readsTotal - this.readsIn <= WASTE_THRESHOLD * this.readsTotal &&
        this.width < this.params.width
      ) {
        this.width++;
      }
    }
    if (!this.expandNext) {
      // Submit first and let the driver hand the read to the kernel before this node's expansion,
      // so the device works while the CPU expands (PipeANN's order: poll, submit one, expand one).
      // With nothing to expand, the wait that follows sends the read (one system call, not two).
      this.expandNext = true;
      if (this.inFlight < this.width && this.submitBest(now) && this.arrivedCount > 0) return Ready;
    }
    this.expandNext = false;
    const q = this.queue;
    if (this.arrivedCount > 0) {
      const pos = q.bestArrived();
      invariant(pos >= 0, "arrived records without an Arrived queue entry");
      const id = q.ids[pos]!;
      const handle = this.takeArrived(id);
      q.markVisitedAt(pos);
      try {
        this.expand(handle, id);
      } finally {
        this.ctx.source.release(handle);
      }
    }
    const marker = q.unvisitedFrontier();
    if (marker > this.maxMarker) this.maxMarker = marker;
    if (!q.anyOpen()) {
      this.finish(now);
      return Done;
    }
    if (this.arrivedCount > 0) return Ready;
    if (
      this.inFlight < this.width &&
      !this.slotStarved &&
      this.stats.reads < this.params.readLimit &&
      q.firstUnvisited() >= 0
    ) {
      return Ready;
    }
    if (this.inFlight > 0) return Blocked;
    if (this.stats.reads >= this.params.readLimit || q.firstUnvisited() < 0) {
      this.finish(now);
      return Done;
    }
    this.slotStarved = false; // try again once the driver has freed something
    return Blocked;
  }

  /** Completions needed before step() can do anything again. */
  waitingFor(): number {
    return 1;
  }

  onRead(slot: number, now: number): void {
    this.readReturned(now);
    const id = this.ctx.source.slotNode[slot]!;
    const converged = this.maxMarker >= CONVERGED_MARKER;
    if (this.queue.markArrived(id) < 0) {
      this.stats.wastedReads++;
      try {
        if (this.params.rankWasted) this.rankOnly(slot, id);
      } finally {
        this.ctx.source.release(slot);
      }
    } else {
      this.pushArrived(id, slot);
      if (converged) this.readsIn++;
    }
    if (converged) this.readsTotal++;
    this.newArrivals = true;
  }

  override finish(now: number): void {
    if (!this.done) this.stats.finalWidth = this.width;
    super.finish(now);
  }

  protected override dropArrived(id: number): void {
    const handle = this.takeArrived(id);
    if (handle >= 0) this.stats.wastedReads++;
    try {
      if (this.params.rankWasted) this.rankOnly(handle, id);
    } finally {
      this.ctx.source.release(handle);
    }
  }

  protected releaseHeld(): void {
    const src = this.ctx.source;
    for (let i = 0; i < this.arrivedCount; i++) src.release(this.arrivedHandles[i]!);
    this.arrivedCount = 0;
  }

  private pushArrived(id: number, handle: number): void {
    const i = this.arrivedCount++;
    this.arrivedIds[i] = id;
    this.arrivedHandles[i] = handle;
  }

  private takeArrived(id: number): number {
    const ids = this.arrivedIds;
    const n = this.arrivedCount;
    for (let i = 0; i < n; i++) {
      if (ids[i] === id) {
        const handle = this.arrivedHandles[i]!;
        ids[i] = ids[n - 1]!;
        this.arrivedHandles[i] = this.arrivedHandles[n - 1]!;
        this.arrivedCount = n - 1;
        return handle;
      }
    }
    invariant(false, `node ${id} is Arrived but holds no record`);
  }
}
