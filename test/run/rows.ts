// Result rows for report and chart tests: shapes like a real sweep (recall rising with L, latency
// growing with L, pipe faster than beam) so the charts have something to draw.
import type { RunReport } from "../../src/run/report/report.ts";
import type { ResultRow } from "../../src/run/report/result-row.ts";

export function makeRows(
  count: number,
  seed = 0,
  opts: { threads?: number[]; concurrency?: number[]; job?: string } = {},
): ResultRow[] {
  const rows: ResultRow[] = [];
  const Ls = [10, 20, 50, 100];
  const threads = opts.threads ?? [1];
  const concurrency = opts.concurrency ?? [1];
  for (let i = 0; rows.length < count; i++) {
    const L = Ls[i % Ls.length]!;
    const mode = Math.floor(i / Ls.length) % 2 === 0 ? "beam" : "pipe";
    const t = threads[Math.floor(i / (2 * Ls.length)) % threads.length]!;
    const c = concurrency[Math.floor(i / (2 * Ls.length * threads.length)) % concurrency.length]!;
    const mean = (mode === "beam" ? 30 : 20) * L + seed;
    rows.push({
      job: opts.job ?? `job "${i % 3}", with comma`,
      index: "/idx/x",
      mode,
      L,
      width: 4,
      threads: t,
      concurrency: c,
      wait: "block",
      submit: "batch",
      io_calls_per_read: 0.4,
      k: 10,
      queries: 1000,
      recall: 1 - 0.5 * Math.exp(-L / 30),
      recall_by_distance: i % 2 === 0 ? null : 0.99,
      qps: (t * c * 1e6) / mean,
      mean_us: mean,
      p50_us: mean * 0.9,
      p95_us: mean * 1.4,
      p99_us: mean * 1.8,
      p999_us: mean * 2.5,
      reads: L * 1.1,
      hops: L,
      cache_hit: 0.05,
      occupancy: mode === "pipe" ? 0.93 : 0.55,
      cpu_us: mean * 0.4,
      cpu_util: 0.6,
      runq_util: 0.1,
      wall_s: 1.5,
      max_us: mean * 4,
      cache_hits: L * 0.05,
      rounds: mode === "beam" ? L / 4 : 0,
      pq_distances: L * 20,
      wasted_reads: 0,
      final_width: 4,
      io_wait_us: mean * 0.5,
      compute_us: mean * 0.5,
      pq_table_us: 10,
      entry_us: mode === "pipe" ? 15 : 0,
      io_busy_us: mean * 0.8,
      io_calls: L * 0.5,
      page_nodes: 0,
      page_hops: 0,
      runq_max_util: 0.12,
      vcs_per_query: 20,
      ivcs_per_query: 0.5,
      main_cpu_util: 0.01,
      jit_cpu_util: 0.02,
      gc_cpu_util: 0,
      other_cpu_util: 0.01,
      strategy: null,
      chosen: null,
      selectivity: null,
      effective_l: null,
      found: null,
      radius: null,
      range_rounds: null,
    });
  }
  return rows;
}

export function reportOf(rows: ResultRow[]): RunReport {
  return {
    name: "t",
    config: "t.json",
    started: new Date(0).toISOString(),
    machine: { cpus: 2, platform: "linux-x64", kernel: "6" },
    io: "auto",
    steps: [],
    jobs: [],
    rows,
    charts: [],
  };
}
