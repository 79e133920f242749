// One measured configuration of a search or sweep job: the one row type of the table, of
// results.json / results.csv, of the charts and of `ringann search --json`. Its figures come from
// the search room's RunFigures (per-query means of every stat in search/stat-fields.ts, latency
// percentiles, cache hits, occupancy), named as stored; the run adds its own dimensions (job,
// threads, concurrency, k, ...) and the timings only it knows (QPS, Worker CPU). Units are in the
// names (_us = µs, _s = seconds); ratios are 0..1. results.csv columns follow ROW_FIELDS.
import { STAT_FIELDS } from "../../search/stat-fields.ts";
import type { RunFigures } from "../../search/stats.ts";
import type { SubmitPolicy } from "../../search/driver.ts";
import type { SearchMode, WaitStrategy } from "../config/config-schema.ts";

export interface ResultRow extends RunFigures {
  job: string;
  index: string;
  mode: SearchMode;
  L: number;
  width: number;
  threads: number;
  concurrency: number;
  /** How the Workers waited for reads: block | spin | yield (see src/run/exec/wait-strategy.ts). */
  wait: WaitStrategy;
  /** When the Workers hand reads to the kernel: eager | batch, chosen at open from the measured cost of a
   * submission against a read (src/io/submit-cost.ts; batch where a submission is a VM exit). */
  submit: SubmitPolicy;
  /** io_uring_enter calls per read (io_calls ÷ reads): what batching saves. */
  io_calls_per_read: number;
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
  /** The most a single Worker waited for a CPU / wall time (one Worker starved while another was not). */
  runq_max_util: number;
  /** Voluntary context switches of the Workers per query (blocking waits for reads). */
  vcs_per_query: number;
  /** Involuntary context switches of the Workers per query (preempted: a core was wanted by another thread). */
  ivcs_per_query: number;
  /** CPU of the main thread / wall time (it should sleep while the Workers search). */
  main_cpu_util: number;
  /** CPU of the JavaScript compiler threads / wall time (JIT work competing with the Workers). */
  jit_cpu_util: number;
  /** CPU of the garbage collector's helper threads / wall time. */
  gc_cpu_util: number;
  /** CPU of every other thread of the process (allocator, runtime pools, io_uring workers) / wall time. */
  other_cpu_util: number;
  wall_s: number;
  /** Filtered search (issue 12): the strategy asked for (auto, pre, in, label, post, none); null unfiltered. */
  strategy: string | null;
  /** What ran, by share of queries ("pre 73% in 27%": auto's choices); null unfiltered. */
  chosen: string | null;
  /** Mean share of the points a query's filter matches (0..1); null unfiltered. */
  selectivity: number | null;
  /** Mean list size the traversal ran with (in-filter: L / local selectivity; range: the last L). */
  effective_l: number | null;
  /** Mean results returned per query (< k when few points match; range: points inside the radius). */
  found: number | null;
  /** Range search: the radius (recall is then against range truth); null for k-NN search. */
  radius: number | null;
  /** Range search: mean searches per query (1 + doublings of L). */
  range_rounds: number | null;
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
  // How the Workers waited and what every thread of the process did meanwhile (issue 15).
  "wait",
  // When reads go to the kernel, and the system calls that cost (issue 9).
  "submit",
  "io_calls_per_read",
  "runq_max_util",
  "vcs_per_query",
  "ivcs_per_query",
  "main_cpu_util",
  "jit_cpu_util",
  "gc_cpu_util",
  "other_cpu_util",
  // Filtered and range search (issue 12); empty for unfiltered rows.
  "strategy",
  "chosen",
  "selectivity",
  "effective_l",
  "found",
  "radius",
  "range_rounds",
];
