// One measured configuration of a search or sweep job: the row of the table, of results.csv and
// of `--json`. Fields are those of `ringann search --json` (SearchRow) plus the run's own
// dimensions (job, threads, concurrency, k, queries) and figures. Units are in the names (µs);
// ratios are 0..1. results.csv columns follow ROW_FIELDS, not the order of declaration.
import type { SearchRow } from "../../search/stats.ts";
import type { SearchMode } from "../config/config-schema.ts";

export interface ResultRow extends SearchRow {
  job: string;
  index: string;
  mode: SearchMode;
  threads: number;
  concurrency: number;
  k: number;
  queries: number;
  /** Recall where a result counts when its distance ≤ the k-th true distance (ties); null without distances. */
  recall_by_distance: number | null;
  p95_us: number;
  /** Worker CPU time per query: the real CPU cost of a query. */
  cpu_us: number;
  /** Worker CPU time / (threads × wall time): near 1 when the Workers were CPU-bound. */
  cpu_util: number;
  /** Time the Workers were ready but waited for a CPU / (threads × wall time): other load on the machine. */
  runq_util: number;
  wall_s: number;
}

export const ROW_FIELDS: readonly (keyof ResultRow)[] = [
  "job", "index", "mode", "L", "width", "threads", "concurrency", "k", "queries", "recall", "recall_by_distance",
  "qps", "mean_us", "p50_us", "p95_us", "p99_us", "p999_us", "reads", "hops", "cache_hit", "occupancy", "cpu_us", "cpu_util", "runq_util", "wall_s",
];
