// Charts of a run's rows as SVG files: Vega-Lite spec → Vega → SVG string, rendered headlessly
// (View with renderer "none" and toSVG(): no browser, no canvas). Which charts appear depends on
// what the rows vary: recall vs mean latency always, QPS vs threads / vs concurrency when swept,
// latency percentiles per L always.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { writeFileAtomic } from "../../format/atomic-file.ts";
import type { ResultRow } from "./result-row.ts";

type Dimension = "job" | "mode" | "strategy" | "width" | "threads" | "concurrency" | "L";

const LABELS: Record<Dimension, (row: ResultRow) => string> = {
  job: (r) => r.job,
  mode: (r) => r.mode,
  strategy: (r) => r.strategy ?? "",
  width: (r) => `W=${r.width}`,
  threads: (r) => `T=${r.threads}`,
  concurrency: (r) => `C=${r.concurrency}`,
  L: (r) => `L=${r.L}`,
};

/** The dimensions that vary across rows, leaving out `except`. */
function varyingDims(rows: readonly ResultRow[], except: readonly Dimension[]): Dimension[] {
  return (Object.keys(LABELS) as Dimension[]).filter(
    (d) => !except.includes(d) && new Set(rows.map((r) => LABELS[d](r))).size > 1,
  );
}

/** A series name from the dimensions that vary across rows, leaving out `except`. */
export function seriesOf(rows: readonly ResultRow[], except: readonly Dimension[]): (row: ResultRow) => string {
  const dims = varyingDims(rows, except);
  if (dims.length === 0) return (r) => r.mode;
  return (r) => dims.map((d) => LABELS[d](r)).join(" ");
}

/** Series names in a natural order (mode, width, threads, concurrency, L ascending), for legends. */
export function seriesOrder(rows: readonly ResultRow[], series: (row: ResultRow) => string): string[] {
  const sorted = [...rows].sort(
    (a, b) =>
      a.job.localeCompare(b.job) ||
      a.mode.localeCompare(b.mode) ||
      a.width - b.width ||
      a.threads - b.threads ||
      a.concurrency - b.concurrency ||
      a.L - b.L,
  );
  return [...new Set(sorted.map(series))];
}

/** Legend title: the names of the dimensions that make up a series (e.g. "mode W"). */
function seriesTitle(rows: readonly ResultRow[], except: readonly Dimension[]): string {
  const dims = varyingDims(rows, except);
  return dims.length === 0 ? "mode" : dims.join(", ");
}

function distinct(rows: readonly ResultRow[], pick: (r: ResultRow) => number): number {
  return new Set(rows.map(pick)).size;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const K_TITLE = (rows: readonly ResultRow[]) => `recall@${rows[0]?.k ?? 10}`;

export function recallLatencySpec(rows: readonly ResultRow[], title: string): TopLevelSpec {
  const series = seriesOf(rows, ["L"]);
  const values = rows.map((r) => ({ series: series(r), L: r.L, mean_us: r.mean_us, recall: r.recall }));
  return {
    $schema: SCHEMA,
    width: 520,
    height: 340,
    data: { values },
    title: {
      text: `${title}: recall vs mean latency`,
      subtitle: "point labels: L (search list size); up and left is better",
    },
    encoding: {
      x: {
        field: "mean_us",
        type: "quantitative",
        title: "mean latency (µs)",
        scale: { zero: false },
        axis: { tickCount: 8 },
      },
      y: { field: "recall", type: "quantitative", title: K_TITLE(rows), scale: { zero: false } },
      color: {
        field: "series",
        type: "nominal",
        title: seriesTitle(rows, ["L"]),
        legend: { labelLimit: 400 },
        sort: seriesOrder(rows, series),
      },
    },
    layer: [
      { mark: { type: "line", point: true }, encoding: { order: { field: "L", type: "quantitative" } } },
      {
        mark: { type: "text", dx: 4, dy: -8, align: "left", fontSize: 9 },
        encoding: { text: { field: "L", type: "quantitative", format: "d" } },
      },
    ],
  };
}

export function qpsSpec(rows: readonly ResultRow[], title: string, by: "threads" | "concurrency"): TopLevelSpec {
  const series = seriesOf(rows, [by]);
  const values = rows.map((r) => ({ series: series(r), x: r[by], qps: r.qps }));
  return {
    $schema: SCHEMA,
    title: `${title}: QPS vs ${by}`,
    width: 520,
    height: 340,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: by, axis: { tickMinStep: 1, format: "d" } },
      y: { field: "qps", type: "quantitative", title: "queries per second" },
      color: {
        field: "series",
        type: "nominal",
        title: seriesTitle(rows, [by]),
        legend: { labelLimit: 400 },
        sort: seriesOrder(rows, series),
      },
    },
  };
}

const PERCENTILES = [
  ["mean", "mean_us"],
  ["p50", "p50_us"],
  ["p95", "p95_us"],
  ["p99", "p99_us"],
  ["p99.9", "p999_us"],
] as const;

export function percentilesSpec(rows: readonly ResultRow[], title: string): TopLevelSpec {
  const series = seriesOf(rows, ["L"]);
  const values = rows.flatMap((r) =>
    PERCENTILES.map(([name, field]) => ({ series: series(r), L: r.L, stat: name, us: r[field] })),
  );
  // A latency profile per L: mean, p50 ... p99.9 left to right, log scale (tails span decades).
  const inner = {
    width: 260,
    height: 220,
    mark: { type: "line" as const, point: true },
    encoding: {
      x: {
        field: "stat",
        type: "ordinal" as const,
        title: "latency statistic",
        sort: PERCENTILES.map(([n]) => n),
        axis: { labelAngle: 0 },
      },
      y: {
        field: "us",
        type: "quantitative" as const,
        title: "latency (µs, log scale)",
        scale: { type: "log" as const },
      },
      // Distinct hues (not shades of one blue) so neighbouring L values stay apart where lines cross.
      color: { field: "L", type: "ordinal" as const, title: "L (search list size)", scale: { scheme: "category10" } },
    },
  };
  const seriesCount = new Set(values.map((v) => v.series)).size;
  if (seriesCount <= 1) {
    return {
      $schema: SCHEMA,
      title: `${title}: latency percentiles`,
      data: { values },
      ...inner,
      width: 520,
      height: 300,
    };
  }
  return {
    $schema: SCHEMA,
    title: `${title}: latency percentiles`,
    data: { values },
    columns: seriesCount <= 4 ? 2 : 3,
    facet: {
      field: "series",
      type: "nominal",
      title: null,
      sort: seriesOrder(rows, series),
      header: { labelFontSize: 13, labelFontWeight: "bold" },
    },
    spec: inner,
  };
}

/** Writes the charts that fit the rows into `dir`; returns their paths (absolute if dir is). */
export async function writeCharts(dir: string, rows: readonly ResultRow[], title: string): Promise<string[]> {
  if (rows.length === 0) return [];
  const charts: [string, TopLevelSpec][] = [["recall-latency.svg", recallLatencySpec(rows, title)]];
  if (distinct(rows, (r) => r.threads) > 1) charts.push(["qps-threads.svg", qpsSpec(rows, title, "threads")]);
  if (distinct(rows, (r) => r.concurrency) > 1)
    charts.push(["qps-concurrency.svg", qpsSpec(rows, title, "concurrency")]);
  charts.push(["latency-percentiles.svg", percentilesSpec(rows, title)]);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, spec] of charts) {
    const path = join(dir, name);
    writeFileAtomic(path, await renderSvg(spec));
    written.push(path);
  }
  return written;
}
