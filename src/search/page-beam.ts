// Page-aware beam search (Starling's block search) on a page layout: DiskANN's rounds of up to W
// reads, but a round reads each sector once (a candidate whose sector is already being read rides
// along), and when the round's reads are in, every node of every fetched sector is scored exactly
// and the co-located nodes the policy picks (page-machine.ts) are expanded without a read.
// Bench: bench/page-search.ts
import { Blocked, Done, type Progress, Ready, type SearchContext } from "./machine.ts";
import { MATE_EXPAND, PageMachine } from "./page-machine.ts";

const PENDING = 0;
const ARRIVED = 1;
const FAILED = 2;

export class PageBeamSearch extends PageMachine {
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
    const ids = this.seedIds;
    const dists = this.seedDists;
    if (n === 0) ids[0] = this.ctx.meta.medoid;
    const count = Math.max(1, n);
    const { pq, codes } = this.ctx;
    for (let i = 0; i < count; i++) {
      const base = ids[i]! * pq.M;
      let s = 0;
      for (let m = 0; m < pq.M; m++) s += this.table[(m << 8) + codes[base + m]!]!;
      dists[i] = s; // DiskANN ranks seeds by PQ distance like every candidate
    }
    this.stats.pqDistances += count;
    for (let i = 0; i < count; i++) if (this.visited.add(ids[i]!)) this.queue.insert(ids[i]!, dists[i]!);
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

  waitingFor(): number {
    return Math.max(1, this.pending);
  }

  onRead(slot: number, now: number): void {
    this.readReturned(now);
    this.settle(slot, ARRIVED);
  }

  override onReadFailed(slot: number, error: Error, now: number): void {
    super.onReadFailed(slot, error, now);
    this.settle(slot, FAILED);
  }

  private settle(slot: number, state: number): void {
    for (let i = 0; i < this.batchCount; i++) {
      if (this.batchHandles[i] === slot && this.batchState[i] === PENDING) {
        this.batchState[i] = state;
        this.pending--;
        return;
      }
    }
  }

  /** Expands each read node, then the co-located nodes its sector answers, and frees the sector. */
  private expandBatch(): void {
    const src = this.ctx.source;
    const q = this.queue;
    for (let i = 0; i < this.batchCount; i++) {
      const handle = this.batchHandles[i]!;
      if (handle < 0) continue; // cached: expanded when the round started
      const id = this.batchIds[i]!;
      this.batchState[i] = FAILED; // no longer held, whatever happens below
      try {
        const first = this.sectorFirst(id);
        const end = this.sectorEnd(first);
        this.rankSector(handle, first, end, -1); // every node of the sector, the read one too
        this.expandOnce(handle, id);
        q.markVisited(id);
        for (let j = first; j < end; j++) {
          if (j === id || this.decideMate(j) !== MATE_EXPAND) continue;
          if (this.matePos >= 0) q.markVisitedAt(this.matePos);
          this.stats.pageHops++;
          src.load(handle, j);
          this.expandLoaded(j);
        }
      } finally {
        src.release(handle);
      }
    }
    this.batchCount = 0;
  }

  /** True when a read of this round already fetches the sector of node `id`. */
  private sectorInBatch(id: number): boolean {
    const s = this.sectorOf(id);
    for (let i = 0; i < this.batchCount; i++) {
      if (this.batchHandles[i]! >= 0 && this.sectorOf(this.batchIds[i]!) === s) return true;
    }
    return false;
  }

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
        // Stays Submitted: the sector's scan expands it ("none" expands no co-located node: read it again).
        if (this.expandPolicy !== "none" && this.sectorInBatch(id)) continue;
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
      this.finish(now);
      return Done;
    }
    stats.rounds++;
    for (let i = 0; i < this.batchCount; i++) {
      const handle = this.batchHandles[i]!;
      if (handle >= 0) continue;
      const id = this.batchIds[i]!;
      this.expandOnce(handle, id);
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
