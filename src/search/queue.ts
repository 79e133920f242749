// The candidate queue of one query: at most L entries sorted by PQ distance, each with a state
//   Unvisited (known, not read) → Submitted (read in flight) → Arrived (read done, not expanded)
//   → Visited (expanded).
// Parallel typed arrays, no objects per entry. Two hints make the scans cheap: no Unvisited entry
// sits before `unvisitedHint` and no non-Visited entry before `openHint`; an insertion at a lower
// position lowers them. The queue never checks for duplicate ids: the query's visited set
// guarantees an id is inserted at most once.
// Bench: bench/search-hop.bench.ts
import { invariant } from "../errors.ts";

export const Unvisited = 0;
export const Submitted = 1;
export const Arrived = 2;
export const Visited = 3;
/** `droppedState` when the last insert pushed nothing out. */
export const NoneDropped = 255;

export class CandidateQueue {
  /** The largest L this queue can hold. */
  readonly capacity: number;
  readonly ids: Uint32Array;
  readonly dists: Float32Array;
  readonly state: Uint8Array;
  /** Entries 0..size-1 are live. */
  size = 0;
  /** The current query's L (≤ capacity). */
  limit = 0;
  /** The entry the last insert() pushed out of a full queue (NoneDropped when none). */
  droppedId = 0;
  droppedState = NoneDropped;
  /** Ids of Submitted/Arrived entries the last insertBatch() pushed out (droppedCount of them). */
  droppedIds: Uint32Array;
  droppedStates: Uint8Array;
  droppedCount = 0;
  private unvisitedHint = 0;
  private openHint = 0;

  constructor(capacity: number) {
    invariant(Number.isInteger(capacity) && capacity >= 1, `queue capacity ${capacity} must be a positive integer`);
    this.capacity = capacity;
    this.ids = new Uint32Array(capacity);
    this.dists = new Float32Array(capacity);
    this.state = new Uint8Array(capacity);
    this.droppedIds = new Uint32Array(capacity);
    this.droppedStates = new Uint8Array(capacity);
  }

  /** Empties the queue for a query with list size L. */
  reset(L: number): void {
    // Messages are built only on failure: a template literal argument would allocate per call.
    if (!(L >= 1 && L <= this.capacity)) invariant(false, `L ${L} must be in 1..${this.capacity}`);
    this.limit = L;
    this.size = 0;
    this.unvisitedHint = 0;
    this.openHint = 0;
    this.droppedState = NoneDropped;
  }

  /**
   * Inserts an Unvisited entry in distance order (after equal distances). Returns its position, or
   * -1 when the queue is full and `dist` is no better than the worst entry. When a full queue drops
   * its worst entry, droppedId/droppedState say which (a Submitted or Arrived one means a wasted read).
   */
  insert(id: number, dist: number): number {
    const dists = this.dists;
    let size = this.size;
    this.droppedState = NoneDropped;
    if (size === this.limit) {
      if (dist >= dists[size - 1]!) return -1;
      size--;
      this.droppedId = this.ids[size]!;
      this.droppedState = this.state[size]!;
    } else {
      this.size = size + 1;
    }
    // Upper bound by binary search: the first position whose distance exceeds `dist`.
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (dists[mid]! <= dist) lo = mid + 1;
      else hi = mid;
    }
    const ids = this.ids;
    const state = this.state;
    if (size - lo > 24) {
      ids.copyWithin(lo + 1, lo, size);
      dists.copyWithin(lo + 1, lo, size);
      state.copyWithin(lo + 1, lo, size);
    } else {
      for (let i = size; i > lo; i--) {
        ids[i] = ids[i - 1]!;
        dists[i] = dists[i - 1]!;
        state[i] = state[i - 1]!;
      }
    }
    ids[lo] = id;
    dists[lo] = dist;
    state[lo] = Unvisited;
    if (lo < this.unvisitedHint) this.unvisitedHint = lo;
    if (lo < this.openHint) this.openHint = lo;
    return lo;
  }

  /**
   * Inserts candidates newIds/newDists[0..n) at once (both arrays are reordered in place): those no
   * better than a full queue's worst are dropped, the rest are sorted and merged in one backward
   * pass, so each entry moves at most once per call instead of once per candidate. The result is
   * what n insert() calls give. Submitted/Arrived entries pushed out are listed in droppedIds.
   */
  insertBatch(newIds: Uint32Array, newDists: Float32Array, n: number): void {
    this.droppedCount = 0;
    const limit = this.limit;
    let size = this.size;
    const ids = this.ids;
    const dists = this.dists;
    const state = this.state;
    if (size === limit) {
      const worst = dists[size - 1]!;
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const d = newDists[i]!;
        if (d < worst) {
          newIds[kept] = newIds[i]!;
          newDists[kept] = d;
          kept++;
        }
      }
      n = kept;
    }
    if (n === 0) return;
    // Stable insertion sort of the survivors (few once the queue is full).
    for (let i = 1; i < n; i++) {
      const id = newIds[i]!;
      const d = newDists[i]!;
      let j = i;
      while (j > 0 && newDists[j - 1]! > d) {
        newIds[j] = newIds[j - 1]!;
        newDists[j] = newDists[j - 1]!;
        j--;
      }
      newIds[j] = id;
      newDists[j] = d;
    }
    // Backward merge into [0, total); slots ≥ limit are the dropped tail.
    let i = size - 1;
    let j = n - 1;
    let k = size + n - 1;
    const newSize = Math.min(size + n, limit);
    while (j >= 0) {
      if (i >= 0 && dists[i]! > newDists[j]!) {
        // Old entry i goes after every remaining new one.
        if (k >= limit) {
          const st = state[i]!;
          if (st === Submitted || st === Arrived) {
            this.droppedIds[this.droppedCount] = ids[i]!;
            this.droppedStates[this.droppedCount] = st;
            this.droppedCount++;
          }
        } else {
          ids[k] = ids[i]!;
          dists[k] = dists[i]!;
          state[k] = state[i]!;
        }
        i--;
      } else {
        if (k < limit) {
          ids[k] = newIds[j]!;
          dists[k] = newDists[j]!;
          state[k] = Unvisited;
        }
        j--;
      }
      k--;
    }
    // Old entries 0..i keep their places; k + 1 is the best new candidate's position.
    const lowest = k + 1;
    size = newSize;
    this.size = size;
    if (lowest < this.unvisitedHint) this.unvisitedHint = lowest;
    if (lowest < this.openHint) this.openHint = lowest;
  }

  /** Position of the best Unvisited entry, or -1. Does not change its state. */
  firstUnvisited(): number {
    const state = this.state;
    const size = this.size;
    let i = this.unvisitedHint;
    while (i < size && state[i] !== Unvisited) i++;
    this.unvisitedHint = i;
    return i < size ? i : -1;
  }

  /** Position of the first Unvisited entry, or size when there is none (PipeANN's "marker"). */
  unvisitedFrontier(): number {
    const i = this.firstUnvisited();
    return i < 0 ? this.size : i;
  }

  /** Marks the best Unvisited entry Submitted and returns its position, or -1 when there is none. */
  popBestUnvisited(): number {
    const i = this.firstUnvisited();
    if (i >= 0) this.state[i] = Submitted;
    return i;
  }

  /** Submitted → Unvisited at `pos` (no read slot was free). Valid until the next insert. */
  revert(pos: number): void {
    if (this.state[pos] !== Submitted) invariant(false, `revert of entry ${pos} in state ${this.state[pos]}`);
    this.state[pos] = Unvisited;
    if (pos < this.unvisitedHint) this.unvisitedHint = pos;
  }

  /** Position of `id` among the non-Visited entries, or -1. */
  findOpen(id: number): number {
    const ids = this.ids;
    const size = this.size;
    for (let i = this.openHint; i < size; i++) if (ids[i] === id) return i;
    return -1;
  }

  /** Marks `id` Visited if it is in the queue and not Visited yet; returns its position or -1. */
  markVisited(id: number): number {
    const pos = this.findOpen(id);
    if (pos < 0 || this.state[pos] === Visited) return -1;
    this.state[pos] = Visited;
    return pos;
  }

  /** Marks the entry at `pos` Visited. */
  markVisitedAt(pos: number): void {
    this.state[pos] = Visited;
  }

  /** Submitted → Arrived for `id`; returns its position, or -1 when it left the queue (wasted read). */
  markArrived(id: number): number {
    const pos = this.findOpen(id);
    if (pos < 0) return -1;
    if (this.state[pos] !== Submitted) invariant(false, `arrival of node ${id} in state ${this.state[pos]}`);
    this.state[pos] = Arrived;
    return pos;
  }

  /** Submitted/Unvisited → Arrived at `pos` (a cached node: its record is already in memory). */
  markArrivedAt(pos: number): void {
    this.state[pos] = Arrived;
  }

  /** Position of the best Arrived entry, or -1. */
  bestArrived(): number {
    const state = this.state;
    const size = this.size;
    for (let i = this.openHint; i < size; i++) if (state[i] === Arrived) return i;
    return -1;
  }

  /** True while some entry (all are within the top L) is not yet Visited. */
  anyOpen(): boolean {
    const state = this.state;
    const size = this.size;
    let i = this.openHint;
    while (i < size && state[i] === Visited) i++;
    this.openHint = i;
    return i < size;
  }

  /** Distance of the worst entry (Infinity when empty). */
  worstDist(): number {
    return this.size > 0 ? this.dists[this.size - 1]! : Infinity;
  }

  /**
   * Replaces every entry's distance (dists[i] for entry i in its current order) and re-sorts; the
   * states travel with the entries. For seeds placed before the PQ table existed.
   */
  rescore(newDists: Float32Array): void {
    const { ids, dists, state } = this;
    const n = this.size;
    for (let i = 0; i < n; i++) dists[i] = newDists[i]!;
    // Insertion sort: the seed list is short (mem_L entries).
    for (let i = 1; i < n; i++) {
      const id = ids[i]!;
      const d = dists[i]!;
      const s = state[i]!;
      let j = i;
      while (j > 0 && dists[j - 1]! > d) {
        ids[j] = ids[j - 1]!;
        dists[j] = dists[j - 1]!;
        state[j] = state[j - 1]!;
        j--;
      }
      ids[j] = id;
      dists[j] = d;
      state[j] = s;
    }
    this.unvisitedHint = 0;
    this.openHint = 0;
  }

  /** Appends without ordering (seeds given in ascending order by another measure); see rescore(). */
  append(id: number, dist: number): boolean {
    if (this.size >= this.limit) return false;
    const i = this.size++;
    this.ids[i] = id;
    this.dists[i] = dist;
    this.state[i] = Unvisited;
    if (i < this.unvisitedHint) this.unvisitedHint = i;
    if (i < this.openHint) this.openHint = i;
    return true;
  }
}
