// Charts: rendered headlessly to SVG (no browser, no canvas); one point per row, the axes and the
// series named; the threads / concurrency charts appear only when the rows sweep them.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { writeCharts } from "../../src/run/report/chart.ts";
import { tempDir } from "../io/helpers.ts";
import { makeRows } from "./rows.ts";

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir("ringann-chart-");
});
afterAll(() => tmp.cleanup());

/** Occurrences of `inner` inside every <g class="CLASS..."> group (each up to its closing tag). */
function groupCount(svg: string, cls: string, inner: string): number {
  let total = 0;
  for (let at = svg.indexOf(`<g class="${cls}`); at >= 0; at = svg.indexOf(`<g class="${cls}`, at + 1)) {
    let depth = 0;
    let end = svg.length;
    const re = /<(\/?)g\b[^>]*>/g;
    re.lastIndex = at;
    for (let m = re.exec(svg); m; m = re.exec(svg)) {
      depth += m[1] ? -1 : 1;
      if (depth === 0) {
        end = m.index;
        break;
      }
    }
    total += svg.slice(at, end).split(inner).length - 1;
  }
  return total;
}

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

test("recall-vs-latency and percentile charts for a plain run; one point per row", async () => {
  const rows = makeRows(8, 0, { job: "demo" }); // beam and pipe at 4 L, one thread
  const files = await writeCharts(join(tmp.dir, "plain"), rows, "plain");
  expect(files.map((f) => basename(f))).toEqual(["recall-latency.svg", "latency-percentiles.svg"]);
  const svg = readFileSync(files[0]!, "utf8");
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  expect(groupCount(svg, "mark-symbol role-mark", "<path ")).toBe(rows.length);
  expect(svg.split('<g class="mark-line role-mark').length - 1).toBe(2); // one line per mode
  const labels = texts(svg);
  for (const t of ["mean latency (µs)", "recall@10", "plain: recall vs mean latency", "beam", "pipe"])
    expect(labels).toContain(t);
  const bars = readFileSync(files[1]!, "utf8");
  // a latency profile per row: 5 points (mean, p50, p95, p99, p99.9), one line per L and mode
  expect(groupCount(bars, "mark-symbol role-mark", "<path ")).toBe(rows.length * 5);
  expect(bars.split('<g class="mark-line role-mark').length - 1).toBe(8); // a line per mode and L
  expect(texts(bars)).toContain("p99.9");
  expect(texts(bars)).toContain("latency (µs, log scale)");
});

test("QPS charts appear when threads and concurrency are swept", async () => {
  const rows = makeRows(32, 0, { threads: [1, 2], concurrency: [1, 4], job: "demo" });
  const files = await writeCharts(join(tmp.dir, "sweep"), rows, "sweep");
  expect(files.map((f) => basename(f))).toEqual([
    "recall-latency.svg",
    "qps-threads.svg",
    "qps-concurrency.svg",
    "latency-percentiles.svg",
  ]);
  const qps = readFileSync(files[1]!, "utf8");
  expect(groupCount(qps, "mark-symbol role-mark", "<path ")).toBe(rows.length);
  const labels = texts(qps);
  expect(labels).toContain("threads");
  expect(labels).toContain("queries per second");
  // series: what varies, minus the x axis, in natural order (L=20 before L=100)
  const series = labels.filter((t) => t.startsWith("beam C=1"));
  expect(series).toEqual(["beam C=1 L=10", "beam C=1 L=20", "beam C=1 L=50", "beam C=1 L=100"]);
  expect(await writeCharts(join(tmp.dir, "none"), [], "none")).toEqual([]);
});
