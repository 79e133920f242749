// CandidateQueue against a plain-array model under long random operation sequences.
import { describe, expect, test } from "bun:test";
import { Arrived, CandidateQueue, NoneDropped, Submitted, Unvisited, Visited } from "../../src/search/queue.ts";
import { HashedVisitedSet, StampedVisitedSet, type VisitedSet } from "../../src/search/visited.ts";
import { rng } from "./tiny-index.ts";

interface Entry {
  id: number;
  dist: number;
  state: number;
}

/** The obvious implementation: a sorted array, stable for equal distances. */
class ModelQueue {
  entries: Entry[] = [];
  constructor(readonly L: number) {}
  insert(id: number, dist: number): { pos: number; dropped: Entry | null } {
    if (this.entries.length === this.L && dist >= this.entries[this.L - 1]!.dist) return { pos: -1, dropped: null };
    let pos = this.entries.findIndex((e) => e.dist > dist);
    if (pos < 0) pos = this.entries.length;
    this.entries.splice(pos, 0, { id, dist, state: Unvisited });
    const dropped = this.entries.length > this.L ? this.entries.pop()! : null;
    return { pos, dropped };
  }
  popBestUnvisited(): number {
    const pos = this.entries.findIndex((e) => e.state === Unvisited);
    if (pos >= 0) this.entries[pos]!.state = Submitted;
    return pos;
  }
  find(id: number): number {
    return this.entries.findIndex((e) => e.id === id);
  }
  anyOpen(): boolean {
    return this.entries.some((e) => e.state !== Visited);
  }
  bestArrived(): number {
    return this.entries.findIndex((e) => e.state === Arrived);
  }
}

function expectSame(q: CandidateQueue, m: ModelQueue): void {
  expect(q.size).toBe(m.entries.length);
  for (let i = 0; i < q.size; i++) {
    expect(q.ids[i]).toBe(m.entries[i]!.id);
    expect(q.dists[i]).toBe(m.entries[i]!.dist);
    expect(q.state[i]).toBe(m.entries[i]!.state);
  }
}

describe("CandidateQueue", () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    test(`matches the model under random operations (seed ${seed})`, () => {
      const rand = rng(seed);
      const L = 1 + Math.floor(rand() * 40);
      const q = new CandidateQueue(64);
      q.reset(L);
      const m = new ModelQueue(L);
      let nextId = 0;
      for (let op = 0; op < 4000; op++) {
        const r = rand();
        if (r < 0.45) {
          // Float32 distances so model and queue compare the same values; ties are common.
          const dist = Math.fround(Math.floor(rand() * 50) / 7);
          const id = nextId++;
          const mr = m.insert(id, dist);
          const pos = q.insert(id, dist);
          expect(pos).toBe(mr.pos);
          if (mr.dropped) {
            expect(q.droppedState).toBe(mr.dropped.state);
            expect(q.droppedId).toBe(mr.dropped.id);
          } else {
            expect(q.droppedState).toBe(NoneDropped);
          }
        } else if (r < 0.6) {
          const pos = q.popBestUnvisited();
          expect(pos).toBe(m.popBestUnvisited());
          // Sometimes no read slot was free: revert right away.
          if (pos >= 0 && rand() < 0.2) {
            q.revert(pos);
            m.entries[pos]!.state = Unvisited;
          }
        } else if (r < 0.72) {
          // A Submitted entry's read completes.
          const sub = m.entries.filter((e) => e.state === Submitted);
          const id = sub.length > 0 && rand() < 0.9 ? sub[Math.floor(rand() * sub.length)]!.id : nextId + 5;
          const pos = q.markArrived(id);
          const mp = m.find(id);
          expect(pos).toBe(mp);
          if (mp >= 0) m.entries[mp]!.state = Arrived;
        } else if (r < 0.84) {
          const pos = q.bestArrived();
          expect(pos).toBe(m.bestArrived());
          if (pos >= 0) {
            q.markVisitedAt(pos);
            m.entries[pos]!.state = Visited;
          }
        } else if (r < 0.92) {
          // Mark Visited by id (beam search after its batch), present or not.
          const id = Math.floor(rand() * (nextId + 3));
          const mp = m.find(id);
          const open = mp >= 0 && m.entries[mp]!.state !== Visited;
          const pos = q.markVisited(id);
          expect(pos).toBe(open ? mp : -1);
          if (open) m.entries[mp]!.state = Visited;
        } else {
          expect(q.anyOpen()).toBe(m.anyOpen());
          const fu = q.firstUnvisited();
          expect(fu).toBe(m.entries.findIndex((e) => e.state === Unvisited));
          expect(q.unvisitedFrontier()).toBe(fu < 0 ? m.entries.length : fu);
        }
        expectSame(q, m);
      }
    });
  }

  for (const seed of [11, 12, 13, 14]) {
    test(`insertBatch gives what one insert per candidate gives (seed ${seed})`, () => {
      const rand = rng(seed);
      const L = 1 + Math.floor(rand() * 30);
      const batch = new CandidateQueue(64);
      const single = new CandidateQueue(64);
      batch.reset(L);
      single.reset(L);
      let nextId = 0;
      const ids = new Uint32Array(20);
      const dists = new Float32Array(20);
      for (let round = 0; round < 300; round++) {
        // Give entries mixed states so dropped Submitted/Arrived entries get reported.
        for (let k = 0; k < 2; k++) {
          const p1 = batch.popBestUnvisited();
          const p2 = single.popBestUnvisited();
          expect(p1).toBe(p2);
          if (p1 >= 0 && rand() < 0.5) {
            batch.markArrivedAt(p1);
            single.markArrivedAt(p2);
          }
        }
        const n = Math.floor(rand() * 20);
        for (let i = 0; i < n; i++) {
          ids[i] = nextId++;
          dists[i] = Math.fround(Math.floor(rand() * 40) / 3);
        }
        const dropped: string[] = [];
        for (let i = 0; i < n; i++) {
          single.insert(ids[i]!, dists[i]!);
          if (single.droppedState === Submitted || single.droppedState === Arrived)
            dropped.push(`${single.droppedId}:${single.droppedState}`);
        }
        batch.insertBatch(ids, dists, n);
        const got: string[] = [];
        for (let i = 0; i < batch.droppedCount; i++) got.push(`${batch.droppedIds[i]}:${batch.droppedStates[i]}`);
        expect(got.sort()).toEqual(dropped.sort());
        expect(batch.size).toBe(single.size);
        expect(Array.from(batch.ids.subarray(0, batch.size))).toEqual(Array.from(single.ids.subarray(0, single.size)));
        expect(Array.from(batch.dists.subarray(0, batch.size))).toEqual(
          Array.from(single.dists.subarray(0, single.size)),
        );
        expect(Array.from(batch.state.subarray(0, batch.size))).toEqual(
          Array.from(single.state.subarray(0, single.size)),
        );
        expect(batch.firstUnvisited()).toBe(single.firstUnvisited());
        expect(batch.anyOpen()).toBe(single.anyOpen());
      }
    });
  }

  test("rescore re-sorts seeds and keeps their states", () => {
    const q = new CandidateQueue(8);
    q.reset(8);
    for (let i = 0; i < 5; i++) q.append(10 + i, i);
    q.popBestUnvisited(); // id 10 → Submitted
    q.rescore(new Float32Array([5, 1, 4, 2, 3]));
    expect(Array.from(q.ids.subarray(0, 5))).toEqual([11, 13, 14, 12, 10]);
    expect(Array.from(q.dists.subarray(0, 5))).toEqual([1, 2, 3, 4, 5]);
    expect(q.state[4]).toBe(Submitted);
    expect(q.popBestUnvisited()).toBe(0);
  });

  test("reset rejects L outside 1..capacity", () => {
    const q = new CandidateQueue(4);
    expect(() => q.reset(5)).toThrow(/L 5/);
    expect(() => q.reset(0)).toThrow();
  });
});

describe("VisitedSet", () => {
  const variants: [string, () => VisitedSet][] = [
    ["stamped", () => new StampedVisitedSet(100)],
    ["hashed", () => new HashedVisitedSet(100)],
  ];
  test.each(variants)("%s: add/has, clear forgets everything, survives stamp wrap-around", (_name, make) => {
    const v = make();
    expect(v.add(3)).toBe(true);
    expect(v.add(3)).toBe(false);
    expect(v.has(3)).toBe(true);
    v.clear();
    expect(v.has(3)).toBe(false);
    for (let g = 0; g < 70000; g++) {
      v.add(g % 100);
      v.clear();
    }
    for (let i = 0; i < 100; i++) expect(v.has(i)).toBe(false);
    expect(v.add(42)).toBe(true);
    expect(v.has(42)).toBe(true);
  });
});
