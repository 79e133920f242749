// How the async API meets the event loop (issue 11), side by side in one run on one index, one thread:
//   sync        SearchDriver.runInterleaved on C machines (blocks the loop for the whole batch)
//   block       index.query() x N, slices of sliceMs that block in io_uring_enter when every query waits
//   yield       index.query() x N, slices that never block: poll, and return to the loop when nothing arrived
// Per variant: QPS, p50/p99 query latency (from the query() call), the longest slice, and the event-loop
// lag seen by a 1 ms timer (its largest lateness) — what an HTTP request arriving meanwhile would wait.
// `idle` is the timer's lateness with no search at all: the machine's own noise.
// Variants alternate round by round (a shared machine drifts); the median round is printed.
// Run:
//   node_modules/.bin/bun bench/serve-async.ts --index $DATA/idx/fmnist_R64_L100 --queries $DATA/fmnist/queries.u8bin \
//     [--concurrency 8] [--count 1000] [--rounds 3] [--slice-ms 1] [--L 50]
import { parseArgs } from "node:util";
import { BinReader } from "../src/format/bin.ts";
import { DiskIndex } from "../src/search/disk-index.ts";

const { values } = parseArgs({
  options: {
    index: { type: "string" },
    queries: { type: "string" },
    concurrency: { type: "string", default: "8" },
    count: { type: "string", default: "1000" },
    rounds: { type: "string", default: "3" },
    "slice-ms": { type: "string", default: "1" },
    L: { type: "string", default: "50" },
  },
});
if (!values.index || !values.queries) {
  console.error(
    "usage: bun bench/serve-async.ts --index PREFIX --queries Q [--concurrency 8] [--count 1000] [--rounds 3]",
  );
  process.exit(2);
}
const C = Number(values.concurrency);
const count = Number(values.count);
const L = Number(values.L);
const reader = BinReader.open(values.queries);
const dim = reader.header.dim;
const n = Math.min(count, reader.header.npts);
const queries = reader.readRows(0, n);
reader.close();
const index = await DiskIndex.open(values.index, { concurrency: C });
index.scheduler.sliceMs = Number(values["slice-ms"]);
index.scheduler.maxQueued = n;
const opts = { k: 10, L, mode: "pipe" as const, width: 4 };

interface Row {
  qps: number;
  p50: number;
  p99: number;
  slice: number;
  lag: number;
  lagP99: number;
  cpuUs: number;
}

/** Lateness of a 1 ms timer: [p99, worst] in ms. */
function lagProbe(): { stop: () => [number, number] } {
  const late: number[] = [];
  let last = performance.now();
  const t = setInterval(() => {
    const now = performance.now();
    late.push(Math.max(0, now - last - 1));
    last = now;
  }, 1);
  return {
    stop: () => {
      clearInterval(t);
      return late.length ? [pct(late, 0.99), Math.max(...late)] : [0, 0];
    },
  };
}

async function runIdle(ms: number): Promise<Row> {
  const probe = lagProbe();
  await new Promise((r) => setTimeout(r, ms));
  const [lagP99, lag] = probe.stop();
  return { qps: 0, p50: 0, p99: 0, slice: 0, lag, lagP99, cpuUs: 0 };
}

function pct(a: number[], p: number): number {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
}

/** Process CPU (user + system, all threads) since c0, per query. */
function cpuPerQuery(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

async function runSync(): Promise<Row> {
  const probe = lagProbe();
  await new Promise((r) => setTimeout(r, 5));
  const p = index.resolve(opts);
  const lat: number[] = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  index.driver.runInterleaved(index.machinesFor("pipe"), queries, dim, n, p, (_q, m) =>
    lat.push(m.stats.latencyUs / 1000),
  );
  const s = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 5));
  const [lagP99, lag] = probe.stop();
  return { qps: n / s, p50: pct(lat, 0.5), p99: pct(lat, 0.99), slice: s * 1000, lag, lagP99, cpuUs: cpuPerQuery(c0) };
}

async function runAsync(mode: "block" | "yield"): Promise<Row> {
  index.scheduler.waitMode = mode;
  index.scheduler.longestSliceMs = 0;
  const probe = lagProbe();
  await new Promise((r) => setTimeout(r, 5));
  const lat: number[] = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  // Open the queries C at a time, as a server with C in flight would (each completion starts the next).
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const q = next++;
      const t = performance.now();
      await index.query(queries, opts, q * dim);
      lat.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: C }, worker));
  const s = (performance.now() - t0) / 1000;
  const [lagP99, lag] = probe.stop();
  return {
    qps: n / s,
    p50: pct(lat, 0.5),
    p99: pct(lat, 0.99),
    slice: index.scheduler.longestSliceMs,
    lag,
    lagP99,
    cpuUs: cpuPerQuery(c0),
  };
}

const rounds = Number(values.rounds);
const results: Record<string, Row[]> = { idle: [], sync: [], block: [], yield: [] };
await runAsync("block"); // warm-up
for (let r = 0; r < rounds; r++) {
  results.idle!.push(await runIdle(1000));
  results.sync!.push(await runSync());
  results.block!.push(await runAsync("block"));
  results.yield!.push(await runAsync("yield"));
}
index.close();
console.log(
  `${n} queries, pipe L=${L} W=4, concurrency ${C}, slice ${values["slice-ms"]} ms, ${rounds} rounds (median by QPS)`,
);
console.log("variant      QPS   p50 ms   p99 ms   longest slice ms   loop lag p99 ms   worst lag ms   CPU µs/query");
for (const [name, rows] of Object.entries(results)) {
  const m = [...rows].sort((a, b) => a.qps - b.qps)[Math.floor(rows.length / 2)]!;
  console.log(
    `${name.padEnd(8)} ${m.qps.toFixed(0).padStart(6)} ${m.p50.toFixed(2).padStart(8)} ${m.p99.toFixed(2).padStart(8)} ` +
      `${m.slice.toFixed(2).padStart(18)} ${m.lagP99.toFixed(2).padStart(17)} ${m.lag.toFixed(2).padStart(14)} ${m.cpuUs.toFixed(0).padStart(14)}`,
  );
}
