// Queries sharing one ring (issue 9): C pipelined (or beam) searches interleaved by one driver on one
// io_uring, so one io_uring_enter per driver loop carries the reads of every query. For C = 1, 2, 4, 8
// prints QPS, mean latency, recall@10, reads per query, io_uring_enter calls per read (the reader's own
// counter) and process CPU (user + system) per read. 1 thread, O_DIRECT, no SQPOLL, no spin; the Cs are
// interleaved in rounds (C=1, 2, 4, 8, then again) so machine noise hits them alike.
// Run: node_modules/.bin/bun bench/search-concurrency.ts --index $DATA/sift-like-1m/idx/sift1m_R64_L100 \
//        --queries $DATA/sift-like-1m/queries.u8bin --gt $DATA/sift-like-1m/gt100.bin [--L 50] [--width 8]
//        [--mode pipe] [--queries-limit 1000] [--rounds 2] [--submit auto|eager|batch]
import { parseArgs } from "node:util";
import { recallAtK } from "../src/data/recall.ts";
import { readTruth } from "../src/format/truth.ts";
import { openVectorFile } from "../src/format/vector-file.ts";
import type { Vectors } from "../src/format/vector-type.ts";
import { IoCounter } from "../src/io/reader.ts";
import { DiskIndex, type SearchMode } from "../src/search/disk-index.ts";

const { values } = parseArgs({
  options: {
    index: { type: "string" },
    queries: { type: "string" },
    gt: { type: "string" },
    L: { type: "string", default: "50" },
    width: { type: "string", default: "8" },
    mode: { type: "string", default: "pipe" },
    concurrency: { type: "string", default: "1,2,4,8" },
    "queries-limit": { type: "string", default: "1000" },
    rounds: { type: "string", default: "2" },
    submit: { type: "string", default: "auto" },
  },
});
if (!values.index || !values.queries || !values.gt) {
  console.error(
    "usage: bun bench/search-concurrency.ts --index PREFIX --queries Q --gt GT [--L 50] [--width 8] [--mode pipe]",
  );
  process.exit(2);
}
const qf = openVectorFile(values.queries);
const count = Math.min(qf.npts, Number(values["queries-limit"]));
const data = qf.readRows(0, count) as Vectors;
const dim = qf.dim;
qf.close();
const truth = readTruth(values.gt);
const Cs = values.concurrency!.split(",").map(Number);
const mode = values.mode as SearchMode;
const L = Number(values.L);
const width = Number(values.width);
const k = 10;
const submit = values.submit as "auto" | "eager" | "batch";

const indexes = new Map<number, DiskIndex>();
for (const C of Cs)
  indexes.set(C, await DiskIndex.open(values.index, { concurrency: C, maxL: L, maxWidth: width, submit }));
const first = indexes.get(Cs[0]!)!;
console.log(`# ${new Date().toISOString()} load ${require("node:fs").readFileSync("/proc/loadavg", "utf8").trim()}`);
console.log(
  `# ${values.index}: ${first.meta.npts} pts; ${mode} L ${L} W ${width}; ${count} queries; submit ${first.submitPolicy}`,
);

interface Acc {
  wallMs: number;
  cpuUs: number;
  reads: number;
  calls: number;
  latSum: number;
  n: number;
  recall: number[];
}
const acc = new Map<number, Acc>(
  Cs.map((C) => [C, { wallMs: 0, cpuUs: 0, reads: 0, calls: 0, latSum: 0, n: 0, recall: [] }]),
);
const ids = new Uint32Array(count * k);
const dists = new Float32Array(count * k);
for (let r = 0; r < Number(values.rounds); r++) {
  for (const C of Cs) {
    const index = indexes.get(C)!;
    const params = index.resolve({ k, L, mode, width });
    const a = acc.get(C)!;
    const calls0 = index.reader.counters[IoCounter.Calls]!;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    index.driver.runInterleaved(index.machinesFor(mode), data, dim, count, params, (q, m) => {
      m.topK(k, ids, dists, q * k);
      a.reads += m.stats.reads;
      a.latSum += m.stats.latencyUs;
      a.n++;
    });
    index.driver.drain();
    a.wallMs += performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    a.cpuUs += cpu.user + cpu.system;
    a.calls += index.reader.counters[IoCounter.Calls]! - calls0;
    a.recall.push(recallAtK({ nq: count, stride: k, ids, dists }, truth, k));
  }
}
console.log("C   QPS   mean_us  recall@10  reads/q  calls/read  cpu_us/read");
for (const C of Cs) {
  const a = acc.get(C)!;
  const recall = a.recall.reduce((x, y) => x + y, 0) / a.recall.length;
  console.log(
    `${String(C).padStart(1)}  ${((a.n * 1000) / a.wallMs).toFixed(0).padStart(5)}  ${(a.latSum / a.n).toFixed(0).padStart(7)}  ` +
      `${recall.toFixed(4).padStart(9)}  ${(a.reads / a.n).toFixed(1).padStart(7)}  ${(a.calls / a.reads).toFixed(3).padStart(10)}  ` +
      `${(a.cpuUs / a.reads).toFixed(1).padStart(11)}`,
  );
}
for (const index of indexes.values()) index.close();
