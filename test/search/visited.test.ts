// The hashed visited set (what indexes above 2^24 points use) against the stamped array and a
// plain Set under random add/has/clear sequences, including table growth and the 16-bit
// generation wrap-around; and the factory's choice of variant.
import { describe, expect, test } from "bun:test";
import { HashedVisitedSet, StampedVisitedSet, createVisitedSet, visitedEstimate } from "../../src/search/visited.ts";
import { rng } from "./tiny-index.ts";

describe("HashedVisitedSet", () => {
  test("agrees with the stamped array under random add/has/clear, growing from 16 slots", () => {
    const npts = 5000;
    const next = rng(11);
    const stamped = new StampedVisitedSet(npts);
    const hashed = new HashedVisitedSet(1);
    expect(hashed.slots).toBe(16);
    let maxSize = 0;
    let size = 0;
    for (let op = 0; op < 200_000; op++) {
      const r = next();
      if (r < 0.0005) {
        stamped.clear();
        hashed.clear();
        size = 0;
        continue;
      }
      const id = Math.floor(next() * npts);
      if (r < 0.6) {
        const added = stamped.add(id);
        expect(hashed.add(id)).toBe(added);
        if (added) maxSize = Math.max(maxSize, ++size);
      } else {
        expect(hashed.has(id)).toBe(stamped.has(id));
      }
    }
    // Some query touched hundreds of ids: the table grew past 16 slots, load kept ≤ 0.5.
    expect(maxSize).toBeGreaterThan(500);
    expect(hashed.growths).toBeGreaterThan(4);
    expect(hashed.slots).toBeGreaterThanOrEqual(2 * maxSize);
    for (let id = 0; id < npts; id++) expect(hashed.has(id)).toBe(stamped.has(id));
  });

  test("holds ids up to 2^32 − 2 (no collisions lost, no false members)", () => {
    const next = rng(12);
    const hashed = new HashedVisitedSet(64);
    for (let round = 0; round < 50; round++) {
      hashed.clear();
      const ref = new Set<number>();
      // Clustered ids (neighbours share high bits) and spread ones, as a graph gives.
      const base = Math.floor(next() * 0xfffff000);
      for (let i = 0; i < 300; i++) {
        const id = next() < 0.5 ? base + Math.floor(next() * 4096) : Math.floor(next() * 0xfffffffe);
        expect(hashed.add(id)).toBe(!ref.has(id));
        ref.add(id);
      }
      for (const id of ref) expect(hashed.has(id)).toBe(true);
      for (let i = 0; i < 300; i++) {
        const id = Math.floor(next() * 0xfffffffe);
        expect(hashed.has(id)).toBe(ref.has(id));
      }
    }
    expect(hashed.has(0xfffffffe)).toBe(false);
    expect(hashed.add(0xfffffffe)).toBe(true);
    expect(hashed.has(0xfffffffe)).toBe(true);
  });

  test("clear stays correct across the generation wrap-around, before and after growth", () => {
    const npts = 300;
    const next = rng(13);
    const stamped = new StampedVisitedSet(npts);
    const hashed = new HashedVisitedSet(8);
    // 140,000 clears: the 16-bit generation wraps twice; every query leaves different ids behind.
    for (let q = 0; q < 140_000; q++) {
      stamped.clear();
      hashed.clear();
      const n = q % 1000 === 0 ? 200 : 3; // now and then a query that forces growth
      for (let i = 0; i < n; i++) {
        const id = Math.floor(next() * npts);
        expect(hashed.add(id)).toBe(stamped.add(id));
      }
      if (q % 997 === 0 || (q >= 65_530 && q <= 65_540)) {
        for (let id = 0; id < npts; id++) expect(hashed.has(id)).toBe(stamped.has(id));
      }
    }
    expect(hashed.growths).toBeGreaterThan(0);
  });
});

describe("createVisitedSet", () => {
  test("stamped array up to the threshold, hash set sized by the query above it", () => {
    expect(createVisitedSet(1000, 50)).toBeInstanceOf(StampedVisitedSet);
    expect(createVisitedSet(1 << 24, 50)).toBeInstanceOf(StampedVisitedSet);
    const big = createVisitedSet(1e9, visitedEstimate(512, 32, 64, 64));
    expect(big).toBeInstanceOf(HashedVisitedSet);
    // (2 × 512 + 32) × 65 + 65 ids at load ≤ 0.5: 2^18 slots (1.5 MB instead of 2 GB).
    expect((big as HashedVisitedSet).slots).toBe(1 << 18);
    expect(big.capacity).toBeGreaterThanOrEqual(visitedEstimate(512, 32, 64, 64));
    expect(createVisitedSet(1000, 50, 0)).toBeInstanceOf(HashedVisitedSet);
  });
});
