// Server metrics in one SharedArrayBuffer, so every serving thread adds to the same counters and
// /metrics on any thread reports the whole server (Prometheus text format 0.0.4). Counters are
// BigInt64 cells updated with Atomics.add; gauges (in-flight requests, queued and running queries)
// have one cell per thread, summed when read.
export const STATUS_CODES = [200, 204, 400, 401, 404, 405, 413, 415, 429, 500, 503, 504] as const;
/** Search request latency buckets, seconds. */
export const LATENCY_BUCKETS_S = [
  0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

const C_STATUS = 0;
const C_STATUS_OTHER = C_STATUS + STATUS_CODES.length;
const C_BUCKETS = C_STATUS_OTHER + 1; // LATENCY_BUCKETS_S.length + 1 (the +Inf bucket)
const C_LAT_SUM_US = C_BUCKETS + LATENCY_BUCKETS_S.length + 1;
const C_QUERIES = C_LAT_SUM_US + 1;
const C_READS = C_QUERIES + 1;
const C_HOPS = C_READS + 1;
const C_OCC_PPM = C_HOPS + 1;
const C_QUERY_US = C_OCC_PPM + 1;
const COUNTERS = C_QUERY_US + 1;
const GAUGES = 3; // in-flight requests, queued queries, running queries

export class ServeMetrics {
  readonly buffer: SharedArrayBuffer;
  readonly threads: number;
  private readonly counters: BigInt64Array;
  private readonly gauges: Int32Array;
  private readonly started = Date.now();

  /** New metrics for `threads` threads, or a view of `buffer` made by another thread. */
  constructor(threads: number, buffer?: SharedArrayBuffer) {
    this.threads = threads;
    this.buffer = buffer ?? new SharedArrayBuffer(COUNTERS * 8 + threads * GAUGES * 4);
    this.counters = new BigInt64Array(this.buffer, 0, COUNTERS);
    this.gauges = new Int32Array(this.buffer, COUNTERS * 8, threads * GAUGES);
  }

  request(status: number): void {
    const i = STATUS_CODES.indexOf(status as (typeof STATUS_CODES)[number]);
    Atomics.add(this.counters, i >= 0 ? C_STATUS + i : C_STATUS_OTHER, 1n);
  }

  searchLatency(seconds: number): void {
    let b = 0;
    while (b < LATENCY_BUCKETS_S.length && seconds > LATENCY_BUCKETS_S[b]!) b++;
    Atomics.add(this.counters, C_BUCKETS + b, 1n);
    Atomics.add(this.counters, C_LAT_SUM_US, BigInt(Math.round(seconds * 1e6)));
  }

  query(reads: number, hops: number, occupancy: number, latencyUs: number): void {
    const c = this.counters;
    Atomics.add(c, C_QUERIES, 1n);
    Atomics.add(c, C_READS, BigInt(reads));
    Atomics.add(c, C_HOPS, BigInt(hops));
    Atomics.add(c, C_OCC_PPM, BigInt(Math.round(occupancy * 1e6)));
    Atomics.add(c, C_QUERY_US, BigInt(Math.round(latencyUs)));
  }

  /** This thread's gauges: HTTP requests in flight, queries queued and running on its rings. */
  setGauges(thread: number, inFlight: number, queued: number, running: number): void {
    Atomics.store(this.gauges, thread * GAUGES, inFlight);
    Atomics.store(this.gauges, thread * GAUGES + 1, queued);
    Atomics.store(this.gauges, thread * GAUGES + 2, running);
  }

  private gauge(which: number): number {
    let s = 0;
    for (let t = 0; t < this.threads; t++) s += Atomics.load(this.gauges, t * GAUGES + which);
    return s;
  }

  private counter(i: number): bigint {
    return Atomics.load(this.counters, i);
  }

  /** Prometheus text exposition. */
  render(): string {
    const out: string[] = [];
    const head = (name: string, type: string, help: string): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    head("ringann_http_requests_total", "counter", "HTTP requests answered, by status code.");
    STATUS_CODES.forEach((code, i) =>
      out.push(`ringann_http_requests_total{code="${code}"} ${this.counter(C_STATUS + i)}`),
    );
    out.push(`ringann_http_requests_total{code="other"} ${this.counter(C_STATUS_OTHER)}`);
    head("ringann_search_request_duration_seconds", "histogram", "Search request latency, from arrival to response.");
    let cum = 0n;
    LATENCY_BUCKETS_S.forEach((le, b) => {
      cum += this.counter(C_BUCKETS + b);
      out.push(`ringann_search_request_duration_seconds_bucket{le="${le}"} ${cum}`);
    });
    cum += this.counter(C_BUCKETS + LATENCY_BUCKETS_S.length);
    out.push(`ringann_search_request_duration_seconds_bucket{le="+Inf"} ${cum}`);
    out.push(`ringann_search_request_duration_seconds_sum ${Number(this.counter(C_LAT_SUM_US)) / 1e6}`);
    out.push(`ringann_search_request_duration_seconds_count ${cum}`);
    const queries = this.counter(C_QUERIES);
    head("ringann_queries_total", "counter", "Queries answered (a request may carry several).");
    out.push(`ringann_queries_total ${queries}`);
    head("ringann_query_reads", "summary", "Sector reads per query (sum and count; mean = sum / count).");
    out.push(`ringann_query_reads_sum ${this.counter(C_READS)}`, `ringann_query_reads_count ${queries}`);
    head("ringann_query_hops", "summary", "Nodes expanded per query.");
    out.push(`ringann_query_hops_sum ${this.counter(C_HOPS)}`, `ringann_query_hops_count ${queries}`);
    head(
      "ringann_query_io_occupancy",
      "summary",
      "Share of a query's latency with at least one read in flight (0..1).",
    );
    out.push(
      `ringann_query_io_occupancy_sum ${Number(this.counter(C_OCC_PPM)) / 1e6}`,
      `ringann_query_io_occupancy_count ${queries}`,
    );
    head("ringann_query_search_seconds", "summary", "Search time per query on its ring (excludes queueing).");
    out.push(
      `ringann_query_search_seconds_sum ${Number(this.counter(C_QUERY_US)) / 1e6}`,
      `ringann_query_search_seconds_count ${queries}`,
    );
    head("ringann_http_in_flight_requests", "gauge", "HTTP requests being handled.");
    out.push(`ringann_http_in_flight_requests ${this.gauge(0)}`);
    head("ringann_queue_depth", "gauge", "Queries waiting for a query machine, all threads.");
    out.push(`ringann_queue_depth ${this.gauge(1)}`);
    head("ringann_queries_running", "gauge", "Queries running on the rings, all threads.");
    out.push(`ringann_queries_running ${this.gauge(2)}`);
    head("ringann_threads", "gauge", "Serving threads (one ring each).");
    out.push(`ringann_threads ${this.threads}`);
    head("ringann_uptime_seconds", "gauge", "Seconds since the server started.");
    out.push(`ringann_uptime_seconds ${(Date.now() - this.started) / 1000}`);
    return out.join("\n") + "\n";
  }
}
