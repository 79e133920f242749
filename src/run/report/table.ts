// The human-readable table of result rows (stdout). Columns that do not vary (e.g. threads in a
// single-thread run) are still shown: a table is read next to others. The filtered-search columns
// (strategy, what auto chose, selectivity, traversal L, results found) and the range columns appear
// only when some row has them.
import type { ResultRow } from "./result-row.ts";

interface Column {
  readonly title: string;
  readonly cell: (r: ResultRow) => string;
  readonly left?: boolean;
  /** Shown only when some row satisfies this. */
  readonly when?: (r: ResultRow) => boolean;
}

const filtered = (r: ResultRow): boolean => r.strategy !== null;
const ranged = (r: ResultRow): boolean => r.radius !== null;
const num = (v: number | null, digits: number): string => (v === null ? "" : v.toFixed(digits));

const COLUMNS: readonly Column[] = [
  { title: "job", cell: (r) => r.job, left: true },
  { title: "mode", cell: (r) => r.mode, left: true },
  { title: "strategy", cell: (r) => r.strategy ?? "", left: true, when: filtered },
  { title: "L", cell: (r) => String(r.L) },
  { title: "W", cell: (r) => String(r.width) },
  { title: "thr", cell: (r) => String(r.threads) },
  { title: "conc", cell: (r) => String(r.concurrency) },
  { title: "recall@k", cell: (r) => r.recall.toFixed(4) },
  { title: "QPS", cell: (r) => r.qps.toFixed(0) },
  { title: "mean µs", cell: (r) => r.mean_us.toFixed(0) },
  { title: "p50", cell: (r) => r.p50_us.toFixed(0) },
  { title: "p99", cell: (r) => r.p99_us.toFixed(0) },
  { title: "p99.9", cell: (r) => r.p999_us.toFixed(0) },
  { title: "reads", cell: (r) => r.reads.toFixed(1) },
  { title: "hops", cell: (r) => r.hops.toFixed(1) },
  { title: "cache%", cell: (r) => (100 * r.cache_hit).toFixed(1) },
  { title: "occup", cell: (r) => r.occupancy.toFixed(2) },
  { title: "cpu%", cell: (r) => (100 * r.cpu_util).toFixed(0) },
  { title: "runq%", cell: (r) => (100 * r.runq_util).toFixed(0) },
  { title: "ivcs/q", cell: (r) => r.ivcs_per_query.toFixed(2) },
  { title: "main%", cell: (r) => (100 * r.main_cpu_util).toFixed(1) },
  { title: "sel%", cell: (r) => num(r.selectivity === null ? null : 100 * r.selectivity, 2), when: filtered },
  { title: "L_eff", cell: (r) => num(r.effective_l, 1), when: (r) => filtered(r) || ranged(r) },
  { title: "found", cell: (r) => num(r.found, 1), when: (r) => filtered(r) || ranged(r) },
  { title: "radius", cell: (r) => (r.radius === null ? "" : String(r.radius)), when: ranged },
  { title: "rounds", cell: (r) => num(r.range_rounds, 2), when: ranged },
  { title: "chosen", cell: (r) => r.chosen ?? "", left: true, when: filtered },
];

export function formatTable(rows: readonly ResultRow[]): string {
  const columns = COLUMNS.filter((c) => c.when === undefined || rows.some(c.when));
  const cells = rows.map((r) => columns.map((c) => c.cell(r)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.left ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.title)), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
