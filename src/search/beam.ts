// Beam search (DiskANN): each round takes up to W best Unvisited candidates, reads them as one
// batch, waits for all of them, expands all, and repeats until every entry of the top L is
// Visited. Cached candidates count towards W (as in DiskANN) but need no read; they are expanded
// while the batch's reads are in flight. Expansion order within a round does not change the
// outcome (the queue keeps the best L of everything inserted), so this is DiskANN's search.
// Bench: bench/search-hop.bench.ts
import { Blocked, Done, type Progress, QueryMachine, Ready, type SearchContext } from "./machine.ts";

const PENDING = 0;
const ARRIVED = 1;
const FAILED = 2;

export class BeamSearch extends QueryMachine {
  private readonly batchIds: Uint32Array;
  private readonly batchHandles: Int32Array;
  private readonly batchState: Uint8Array;
  private batchCount = 0;
  private pending = 0;

  constructor(ctx: SearchContext, owner: number) {
    super(ctx, owner);
    this.batchIds = new Uint32Array(ctx.maxWidth);
    this.batchHandles = new Int32Array(ctx.maxWidth);
    this.batchState = new Uint8Array(ctx.maxWidth);
  }

  protected seed(now: number): void {
    this.batchCount = 0;
    this.pending = 0;
    const n = this.entrySeeds(this.buildTable(now));
    if (n > 0) {
      const ids = this.seedIds;
      const dists = this.seedDists;
      this.pqSeeds(ids, n, dists); // DiskANN ranks seeds by PQ distance like every candidate
      for (let i = 0; i < n; i++) if (this.visited.add(ids[i]!)) this.queue.insert(ids[i]!, dists[i]!);
    } else {
      const medoid = this.ctx.meta.medoid;
      this.seedIds[0] = medoid;
      this.pqSeeds(this.seedIds, 1, this.seedDists);
      this.visited.add(medoid);
      this.queue.insert(medoid, this.seedDists[0]!);
    }
  }

  private pqSeeds(ids: Uint32Array, n: number, out: Float32Array): void {
    const { pq, codes } = this.ctx;
    for (let i = 0; i < n; i++) {
      const base = ids[i]! * pq.M;
      let s = 0;
      for (let m = 0; m < pq.M; m++) s += this.table[(m << 8) + codes[base + m]!]!;
      out[i] = s;
    }
    this.stats.pqDistances += n;
  }

  step(now: number): Progress {
    if (this.done) return Done;
    if (this.error !== null) {
      this.finish(now);
      return Done;
    }
    if (this.pending > 0) return Blocked;
    if (this.batchCount > 0) this.expandBatch();
    return this.nextBatch(now);
  }

  /** Completions needed before step() can do anything again: the whole round. */
  waitingFor(): number {
    return Math.max(1, this.pending);
  }

  onRead(slot: number, now: number): void {
    this.readReturned(now);
    for (let i = 0; i < this.batchCount; i++) {
      if (this.batchHandles[i] === slot && this.batchState[i] === PENDING) {
        this.batchState[i] = ARRIVED;
        this.pending--;
        return;
      }
    }
  }

  override onReadFailed(slot: number, error: Error, now: number): void {
    super.onReadFailed(slot, error, now);
    for (let i = 0; i < this.batchCount; i++) {
      if (this.batchHandles[i] === slot && this.batchState[i] === PENDING) {
        this.batchState[i] = FAILED;
        this.pending--;
        return;
      }
    }
  }

  /** Expands every node of the finished round (reads all arrived) and marks it Visited. */
  private expandBatch(): void {
    const src = this.ctx.source;
    for (let i = 0; i < this.batchCount; i++) {
      const handle = this.batchHandles[i]!;
      if (handle < 0) continue; // cached: expanded when the round started
      const id = this.batchIds[i]!;
      this.batchState[i] = FAILED; // no longer held, whatever happens below
      try {
        this.expand(handle, id);
      } finally {
        src.release(handle);
      }
      this.queue.markVisited(id);
    }
    this.batchCount = 0;
  }

  /** Picks the next round: up to W best Unvisited; submits their reads, expands cached ones. */
  private nextBatch(now: number): Progress {
    const { queue, stats } = this;
    const src = this.ctx.source;
    const width = this.params.width;
    while (this.batchCount < width) {
      if (stats.reads >= this.params.readLimit) break;
      const pos = queue.popBestUnvisited();
      if (pos < 0) break;
      const id = queue.ids[pos]!;
      const cached = src.cached(id);
      let handle = cached;
      if (cached === -1) {
        handle = this.submitRead(id, now);
        if (handle < 0) {
          queue.revert(pos);
          break;
        }
        this.pending++;
      } else {
        stats.cacheHits++;
      }
      this.batchIds[this.batchCount] = id;
      this.batchHandles[this.batchCount] = handle;
      this.batchState[this.batchCount] = handle >= 0 ? PENDING : ARRIVED;
      this.batchCount++;
    }
    if (this.batchCount === 0) {
      // No Unvisited candidate (all of the top L are Visited) or the read limit is reached.
      this.finish(now);
      return Done;
    }
    stats.rounds++;
    // Cached nodes need no read: expand them while the round's reads are in flight.
    for (let i = 0; i < this.batchCount; i++) {
      const handle = this.batchHandles[i]!;
      if (handle >= 0) continue;
      const id = this.batchIds[i]!;
      this.expand(handle, id);
      this.queue.markVisited(id);
    }
    return this.pending > 0 ? Blocked : Ready;
  }

  protected releaseHeld(): void {
    const src = this.ctx.source;
    for (let i = 0; i < this.batchCount; i++) {
      if (this.batchState[i] === ARRIVED && this.batchHandles[i]! >= 0) src.release(this.batchHandles[i]!);
      this.batchState[i] = FAILED;
    }
    this.batchCount = 0;
    this.pending = 0;
  }
}
