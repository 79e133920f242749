// One measured configuration of a search or sweep job: the one row type of the table, of
// results.json / results.csv, of the charts and of `ringann search --json`. Its figures come from
// the search room's RunFigures (per-query means of every stat in search/stat-fields.ts, latency
// percentiles, cache hits, occupancy), named as stored; the run adds its own dimensions (job,
// threads, concurrency, k, ...) and the timings only it knows (QPS, Worker CPU). Units are in the
// names (_us = µs, _s = seconds); ratios are 0..1. results.csv columns follow ROW_FIELDS.
import { STAT_FIELDS } from "../../search/stat-fields.ts";
import type { RunFigures } from "../../search/stats.ts";
import type { SearchMode } from "../config/config-schema.ts";

export interface ResultRow extends RunFigures {
  job: string;
  index: string;
  mode: SearchMode;
  L: number;
  width: number;
  threads: number;
  concurrency: number;
  k: number;
  /** Recall@k against the ground truth; NaN (null in JSON) without one. */
  recall: number;
  /** Recall where a result counts when its distance ≤ the k-th true distance (ties); null without distances. */
  recall_by_distance: number | null;
  /** Queries per second over the run's wall time. */
  qps: number;
  /** Worker CPU time per query: the real CPU cost of a query. */
  cpu_us: number;
  /** Worker CPU time / (threads × wall time): near 1 when the Workers were CPU-bound. */
  cpu_util: number;
  /** Time the Workers were ready but waited for a CPU / (threads × wall time): other load on the machine. */
  runq_util: number;
  wall_s: number;
}

/** The columns results.csv has had from the start, in their order; newer figures follow. */
const FIRST_FIELDS: readonly (keyof ResultRow)[] = [
  "job",
  "index",
  "mode",
  "L",
  "width",
  "threads",
  "concurrency",
  "k",
  "queries",
  "recall",
  "recall_by_distance",
  "qps",
  "mean_us",
  "p50_us",
  "p95_us",
  "p99_us",
  "p999_us",
  "reads",
  "hops",
  "cache_hit",
  "occupancy",
  "cpu_us",
  "cpu_util",
  "runq_util",
  "wall_s",
];

export const ROW_FIELDS: readonly (keyof ResultRow)[] = [
  ...FIRST_FIELDS,
  "max_us",
  ...STAT_FIELDS.map((f) => f.column).filter((column) => !FIRST_FIELDS.includes(column)),
];
