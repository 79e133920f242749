import { describe, expect, test } from "bun:test";
import { recallAtK, recallAtKByDistance, recallOfQueryById, NO_RESULT } from "../../src/data/recall.ts";
import { FormatError } from "../../src/errors.ts";
import type { Truth } from "../../src/format/truth.ts";

// Two queries, K = 4. Query 0 has a tie at the k = 2 boundary (ids 7 and 8 both at distance 2).
const truth: Truth = {
  nq: 2,
  k: 4,
  ids: Uint32Array.from([3, 7, 8, 1, 10, 11, 12, 13]),
  dists: Float32Array.from([1, 2, 2, 5, 0.5, 0.75, 1, 1.25]),
};

describe("recall", () => {
  test("by id counts the overlap of the first k, whatever the order", () => {
    const results = { nq: 2, stride: 4, ids: Uint32Array.from([7, 3, 99, 98, 13, 12, 11, 10]) };
    expect(recallOfQueryById(results, truth, 2, 0)).toBe(1);
    expect(recallOfQueryById(results, truth, 4, 0)).toBe(0.5);
    expect(recallAtK(results, truth, 4)).toBe(0.75);
    expect(recallAtK(results, truth, 1)).toBe(0);
    expect(recallAtK(results, truth, 3)).toBe(2 / 3);
  });

  test("by distance accepts a different id at the k-th true distance, not beyond it", () => {
    // Query 0 returns 3 and 8 (8 ties with the true 2nd, id 7): right by distance, half right by id.
    const results = {
      nq: 2,
      stride: 3,
      ids: Uint32Array.from([3, 8, 1, 10, 99, NO_RESULT]),
      dists: Float32Array.from([1, 2, 5, 0.5, 0.8, 0]),
    };
    expect(recallAtK(results, truth, 2)).toBe((0.5 + 0.5) / 2);
    // Query 1 at k = 2: 10 is right; 99 at 0.8 > 0.75 does not count.
    expect(recallAtKByDistance(results, truth, 2)).toBe((1 + 0.5) / 2);
    // k = 3: query 0's 3rd true distance is 2, so id 1 at 5 does not count; NO_RESULT never counts.
    expect(recallAtKByDistance(results, truth, 3)).toBe((2 / 3 + 2 / 3) / 2);
  });

  test("a true id counts by distance even if its recomputed distance is a hair larger; duplicates count once", () => {
    const results = {
      nq: 1,
      stride: 2,
      ids: Uint32Array.from([3, 3]),
      dists: Float32Array.from([1.0000001, 1.0000001]),
    };
    expect(recallAtKByDistance(results, truth, 1)).toBe(1);
    expect(recallAtKByDistance(results, truth, 2)).toBe(0.5);
  });

  test("k beyond the truth's K, or more queries than the truth has, is an error", () => {
    const results = { nq: 3, stride: 5, ids: new Uint32Array(15), dists: new Float32Array(15) };
    expect(() => recallAtK({ ...results, nq: 1 }, truth, 5)).toThrow(FormatError);
    expect(() => recallAtK(results, truth, 2)).toThrow(FormatError);
    expect(() => recallAtKByDistance({ ...results, nq: 1 }, { ...truth, dists: null }, 2)).toThrow(FormatError);
  });
});
