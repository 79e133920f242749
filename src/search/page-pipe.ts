// Pipelined page search: PipeANN's pipelined search (pipe.ts — up to W reads in flight, never a
// batch to wait for) on a page layout. When a sector arrives every node in it is scored exactly,
// and the co-located nodes the policy picks (page-machine.ts) become Arrived candidates holding the
// same read slot: they are expanded in distance order with the rest, without a read of their own.
// A slot is released when the last node holding it is expanded or dropped (a reference count per
// slot). A candidate whose sector is already being read is not read again: it stays Submitted and
// the arriving sector makes it Arrived. Adaptive width, entry-graph seeds, the PQ table built while
// the first reads fly and ranking of wasted reads work as in pipe.ts. Blocked with all W reads in
// flight, it waits for two completions, not one (waitingFor: each page read brings several nodes).
// Bench: bench/page-search.ts
import { invariant } from "../errors.ts";
import { pqDistances } from "../math/pq-table.ts";
import { Blocked, Done, type Progress, Ready, type SearchContext } from "./machine.ts";
import { NO_HANDLE } from "./node-source.ts";
import { MATE_EXPAND, PageMachine } from "./page-machine.ts";
import { Arrived } from "./queue.ts";

const CONVERGED_MARKER = 5;
const WASTE_THRESHOLD = 0.1;

export class PagePipeSearch extends PageMachine {
  private readonly arrivedIds: Uint32Array;
  private readonly arrivedHandles: Int32Array;
  /** 1 when the arrived entry came from another node's sector (a page hop), 0 when read for itself. */
  private readonly arrivedMate: Uint8Array;
  private arrivedCount = 0;
  /** arrivedMate of the entry takeArrived() returned last. */
  private takenMate = 0;
  /** Arrived entries holding each read slot. */
  private readonly refs: Uint16Array;
  private width = 4;
  private tableReady = false;
  private slotStarved = false;
  private maxMarker = 0;
  private readsIn = 0;
  private readsTotal = 0;
  private newArrivals = false;
  private expandNext = false;
  /** Completions waitingFor() asks for while all reads are in flight (1: every one; for benchmarks). */
  waitMany = 2;

  constructor(ctx: SearchContext, owner: number) {
    super(ctx, owner);
    this.arrivedIds = new Uint32Array(ctx.maxL);
    this.arrivedHandles = new Int32Array(ctx.maxL);
    this.arrivedMate = new Uint8Array(ctx.maxL);
    this.refs = new Uint16Array(ctx.source.reader.slotCount);
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

  /** Builds the PQ table (from time `now`) and re-ranks the seeds; returns the clock after. */
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

  /** True when one of this query's reads in flight fetches the sector of node `id`. */
  private sectorInFlight(id: number): boolean {
    if (this.inFlight === 0) return false;
    const src = this.ctx.source;
    const s = this.sectorOf(id);
    const owners = src.slotOwner;
    const nodes = src.slotNode;
    for (let slot = 0; slot < owners.length; slot++) {
      if (owners[slot] === this.owner && src.reader.isInFlight(slot) && this.sectorOf(nodes[slot]!) === s) return true;
    }
    return false;
  }

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
        this.pushArrived(id, cached, 0);
        this.stats.cacheHits++;
        continue;
      }
      // Stays Submitted: its sector's arrival makes it Arrived ("none" expands no co-located node: read it again).
      if (this.expandPolicy !== "none" && this.sectorInFlight(id)) continue;
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
      if (this.takenMate === 1) this.stats.pageHops++;
      q.markVisitedAt(pos);
      try {
        this.expandOnce(handle, id);
      } finally {
        this.releaseRef(handle);
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
    this.slotStarved = false;
    return Blocked;
  }

  /**
   * Completions needed before step() goes on when Blocked: waitMany (2) while all `width` reads are in
   * flight. A page read brings several nodes to expand, so waking for every single completion buys little; on a
   * VM each wake-up and io_uring_enter costs tens of µs (1M, W 4: mean latency −4–6% at recall 0.95;
   * the same on id-order pipe gained nothing — docs/benchmarks.md, "page search CPU per read").
   */
  waitingFor(): number {
    return this.inFlight >= this.width ? Math.min(this.waitMany, this.inFlight) : 1;
  }

  onRead(slot: number, now: number): void {
    this.readReturned(now);
    const src = this.ctx.source;
    const id = src.slotNode[slot]!;
    const converged = this.maxMarker >= CONVERGED_MARKER;
    const q = this.queue;
    this.refs[slot]!++; // held while the sector is scanned (a mate's insert may drop entries on it)
    try {
      const arrived = q.markArrived(id) >= 0;
      const first = this.sectorFirst(id);
      const end = this.sectorEnd(first);
      // Every node of the sector is scored now; the read node too when every read is ranked (rankWasted:
      // it will be, expanded or dropped), else when its expansion does so.
      this.rankSector(slot, first, end, this.params.rankWasted ? -1 : id);
      if (!arrived) {
        this.stats.wastedReads++;
      } else {
        this.pushArrived(id, slot, 0);
        if (converged) this.readsIn++;
      }
      // The rest of the sector: the chosen ones become Arrived on this slot.
      for (let j = first; j < end; j++) {
        if (j === id || this.decideMate(j) !== MATE_EXPAND) continue;
        if (this.matePos >= 0) {
          q.markArrivedAt(this.matePos);
          this.pushArrived(j, slot, 1);
        } else {
          this.stats.pageHops++; // policy "all", not a candidate: expanded here and now
          src.load(slot, j);
          this.expandLoaded(j);
        }
      }
    } finally {
      this.releaseRef(slot);
    }
    if (converged) this.readsTotal++;
    this.newArrivals = true;
  }

  protected override afterMateInsert(): void {
    const q = this.queue;
    if (q.droppedState === Arrived) this.dropArrived(q.droppedId);
  }

  override finish(now: number): void {
    if (!this.done) this.stats.finalWidth = this.width;
    super.finish(now);
  }

  protected override dropArrived(id: number): void {
    const handle = this.takeArrived(id);
    if (handle >= 0 && this.takenMate === 0) this.stats.wastedReads++;
    try {
      if (this.params.rankWasted) {
        this.ctx.source.load(handle, id);
        this.rankLoaded(id);
      }
    } finally {
      this.releaseRef(handle);
    }
  }

  protected releaseHeld(): void {
    for (let i = 0; i < this.arrivedCount; i++) this.releaseRef(this.arrivedHandles[i]!);
    this.arrivedCount = 0;
  }

  private releaseRef(handle: number): void {
    if (handle < 0) return;
    const left = --this.refs[handle]!;
    if (left === 0) this.ctx.source.release(handle);
  }

  private pushArrived(id: number, handle: number, mate: number): void {
    const i = this.arrivedCount++;
    this.arrivedIds[i] = id;
    this.arrivedHandles[i] = handle;
    this.arrivedMate[i] = mate;
    if (handle >= 0) this.refs[handle]!++;
  }

  private takeArrived(id: number): number {
    const ids = this.arrivedIds;
    const n = this.arrivedCount;
    for (let i = 0; i < n; i++) {
      if (ids[i] === id) {
        const handle = this.arrivedHandles[i]!;
        this.takenMate = this.arrivedMate[i]!;
        ids[i] = ids[n - 1]!;
        this.arrivedHandles[i] = this.arrivedHandles[n - 1]!;
        this.arrivedMate[i] = this.arrivedMate[n - 1]!;
        this.arrivedCount = n - 1;
        return handle;
      }
    }
    invariant(false, `node ${id} is Arrived but holds no record`);
  }
}
