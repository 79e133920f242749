import { describe, expect, test } from "bun:test";
import { metricAtRecall } from "../../src/data/at-recall.ts";

describe("metricAtRecall", () => {
  const curve = [
    { L: 10, recall: 0.8, us: 500 },
    { L: 20, recall: 0.9, us: 700 },
    { L: 50, recall: 0.98, us: 1500 },
  ];
  test("interpolates linearly between the two runs that bracket the target", () => {
    expect(metricAtRecall(curve, 0.95, (r) => r.us)).toBeCloseTo(700 + (0.05 / 0.08) * 800, 9);
    expect(metricAtRecall(curve, 0.85, (r) => r.L)).toBeCloseTo(15, 9);
  });
  test("the first run when it already reaches the target; null when none does", () => {
    expect(metricAtRecall(curve, 0.5, (r) => r.us)).toBe(500);
    expect(metricAtRecall(curve, 0.9, (r) => r.us)).toBe(700);
    expect(metricAtRecall(curve, 0.99, (r) => r.us)).toBeNull();
    expect(metricAtRecall([], 0.9, (r: { recall: number }) => r.recall)).toBeNull();
  });
});
