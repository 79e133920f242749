// CPU per query of page search against id-order search (issue 10): whole searches through an in-memory
// reader (SimReader: no device, every read due --delay exchanges later; or --reader direct), process CPU time (user + system)
// per query, so neighbours on a shared machine inflate every combination alike and preemption does not
// count. {id, page, --also ...} × {beam, pipe} × L, rounds interleaved (reversed every other round), and
// optionally a second source tree (`--before TREE`: an exported older checkout with its dist/) searched
// the same way in the same process, so a change's CPU effect is measured side by side. Recall and the
// counters (reads, hops, page hops, co-located records scored, PQ distances) come with the CPU, so a
// change that should be exact shows identical recall and counters before and after.
// Run:
//   node_modules/.bin/bun bench/page-cpu.ts --id $IDX/sift1m_R64_L100 --page $S/sift1m-page2 \
//     --queries $D/queries.u8bin --gt $D/gt100.bin [--L 20,40] [--width 4] [--queries-limit 300]
//     [--rounds 3] [--also NAME=PREFIX ...] [--before TREE] [--page-expand queued]
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    id: { type: "string" },
    page: { type: "string" },
    queries: { type: "string" },
    gt: { type: "string" },
    L: { type: "string", default: "20,40" },
    width: { type: "string", default: "4" },
    "queries-limit": { type: "string", default: "300" },
    rounds: { type: "string", default: "3" },
    also: { type: "string", multiple: true, default: [] },
    before: { type: "string" },
    "page-expand": { type: "string" },
    modes: { type: "string", default: "beam,pipe" },
    reader: { type: "string", default: "sim" },
    delay: { type: "string", default: "8" },
  },
});
if (!values.id || !values.page || !values.queries || !values.gt) {
  console.error(
    "usage: bun bench/page-cpu.ts --id PREFIX --page PREFIX --queries Q --gt GT [--L 20,40] [--rounds 3] [--before TREE]",
  );
  process.exit(2);
}
const Ls = values.L!.split(",").map(Number);
const width = Number(values.width);
const rounds = Number(values.rounds);
const modes = values.modes!.split(",") as ("beam" | "pipe")[];
const maxL = Math.max(...Ls);
const k = 10;
const layouts: { name: string; prefix: string }[] = [
  { name: "id", prefix: values.id },
  { name: "page", prefix: values.page },
  ...(values.also as string[]).map((s) => ({ name: s.slice(0, s.indexOf("=")), prefix: s.slice(s.indexOf("=") + 1) })),
];
const sim = values.reader === "sim";
const delay = Number(values.delay);
// One copy of each disk file, shared by both trees' readers (`--reader direct`: O_DIRECT io_uring instead).
const disks = new Map(
  layouts.map((l) => [l.name, sim ? new Uint8Array(readFileSync(`${l.prefix}_disk.index`)) : new Uint8Array(0)]),
);

interface Tree {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: DiskIndex of either source tree, loaded at run time
  indexes: Map<string, any>;
  // biome-ignore lint/suspicious/noExplicitAny: the query rows of either tree's vector-file module
  queries: any;
  // biome-ignore lint/suspicious/noExplicitAny: the ground truth of either tree's truth module
  truth: any;
  // biome-ignore lint/suspicious/noExplicitAny: recallAtK of either tree
  recallAtK: any;
  dim: number;
  nq: number;
}
async function tree(name: string, dir: string): Promise<Tree> {
  const { DiskIndex } = await import(`${dir}/src/search/disk-index.ts`);
  const { SimReader } = await import(`${dir}/src/io/sim-reader.ts`);
  const { openVectorFile } = await import(`${dir}/src/format/vector-file.ts`);
  const { readTruth } = await import(`${dir}/src/format/truth.ts`);
  const { recallAtK } = await import(`${dir}/src/data/recall.ts`);
  const indexes = new Map();
  for (const l of layouts) {
    const disk = disks.get(l.name)!;
    indexes.set(
      l.name,
      await DiskIndex.open(l.prefix, {
        maxL,
        maxWidth: width,
        openReader: sim
          ? (file: string, g: { slotBytes: number; slotCount: number }) =>
              new SimReader(disk, { ...g, file, minDelayTicks: delay, maxDelayTicks: delay, shuffle: false })
          : undefined,
      }),
    );
  }
  const qf = openVectorFile(values.queries!);
  const nq = Math.min(Number(values["queries-limit"]), qf.npts);
  const queries = qf.readRows(0, nq);
  qf.close();
  return { name, indexes, queries, truth: readTruth(values.gt!), recallAtK, dim: qf.dim, nq };
}
const trees = [await tree("after", resolve(import.meta.dir, ".."))];
if (values.before) trees.unshift(await tree("before", resolve(values.before)));

const COUNTERS = ["reads", "hops", "pageHops", "pageNodes", "pqDistances", "latencyUs", "cpuUs", "ioCalls"] as const;
interface Cell {
  cpuUs: number;
  userUs: number;
  recall: number;
  counts: number[];
  runs: number;
}
const cells = new Map<string, Cell>();
const keyOf = (t: string, layout: string, mode: string, L: number): string => `${t}|${layout}|${mode}|${L}`;

function run(t: Tree, layout: string, mode: "beam" | "pipe", L: number, record: boolean): void {
  const index = t.indexes.get(layout);
  const opts: Record<string, unknown> = { mode, L, k, width };
  if (values["page-expand"] && layout !== "id") opts.pageExpand = values["page-expand"];
  const p = index.resolve(opts);
  const m = index.machineFor(mode);
  const counts = COUNTERS.map(() => 0);
  const ids = new Uint32Array(t.nq * k).fill(0xffffffff);
  const dists = new Float32Array(t.nq * k);
  const c0 = process.cpuUsage();
  for (let q = 0; q < t.nq; q++) {
    index.searchInto(t.queries, q * t.dim, p, ids, dists, q * k);
    for (let c = 0; c < COUNTERS.length; c++) counts[c]! += m.stats[COUNTERS[c]!];
  }
  const c = process.cpuUsage(c0);
  if (!record) return;
  const recall = t.recallAtK({ nq: t.nq, stride: k, ids, dists }, t.truth, k);
  const key = keyOf(t.name, layout, mode, L);
  const cell = cells.get(key) ?? { cpuUs: 0, userUs: 0, recall: 0, counts: COUNTERS.map(() => 0), runs: 0 };
  cell.cpuUs += (c.user + c.system) / t.nq;
  cell.userUs += c.user / t.nq;
  cell.recall = recall;
  for (let i = 0; i < COUNTERS.length; i++) cell.counts[i] = counts[i]! / t.nq;
  cell.runs++;
  cells.set(key, cell);
}

const combos: [string, "beam" | "pipe", number][] = [];
for (const L of Ls) for (const mode of modes) for (const l of layouts) combos.push([l.name, mode, L]);
for (const t of trees) for (const [layout, mode, L] of combos) run(t, layout, mode, L, false); // warm-up
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? combos : [...combos].reverse();
  for (const [layout, mode, L] of order)
    for (const t of r % 2 === 0 ? trees : [...trees].reverse()) run(t, layout, mode, L, true);
}

const load = readFileSync("/proc/loadavg", "utf8").trim();
const how = sim ? `in-memory reader, reads due ${delay} exchanges later` : "O_DIRECT io_uring";
console.log(`# ${trees[0]!.nq} queries, ${rounds} rounds, W ${width}, ${how}; load ${load}`);
console.log(
  "tree    layout   mode  L    recall  cpu µs/q  user µs   reads    hops  pagehops  pagenodes   pqdists  µs/read  cpu ÷ id  mean µs  compute µs  io calls",
);
const f = (x: number, w: number, d = 1): string => x.toFixed(d).padStart(w);
for (const [layout, mode, L] of combos) {
  for (const t of trees) {
    const c = cells.get(keyOf(t.name, layout, mode, L))!;
    const id = cells.get(keyOf(t.name, "id", mode, L))!;
    const cpu = c.cpuUs / c.runs;
    const idCpu = id.cpuUs / id.runs;
    const [reads, hops, pageHops, pageNodes, pq, lat, compute, calls] = c.counts as number[] as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    console.log(
      `${t.name.padEnd(7)} ${layout.padEnd(8)} ${mode.padEnd(5)} ${String(L).padEnd(4)} ${c.recall.toFixed(4)} ${f(cpu, 9)} ${f(c.userUs / c.runs, 8)} ${f(reads, 7)} ${f(hops, 7)} ${f(pageHops, 9)} ${f(pageNodes, 10)} ${f(pq, 9, 0)} ${f(cpu / reads, 8, 2)} ${f(cpu / idCpu, 9, 3)} ${f(lat, 8, 0)} ${f(compute, 11, 0)} ${f(calls, 9)}`,
    );
  }
}
if (trees.length === 2) {
  console.log("\nafter ÷ before, CPU per query:");
  for (const [layout, mode, L] of combos) {
    const [b, a] = trees.map((t) => {
      const c = cells.get(keyOf(t.name, layout, mode, L))!;
      return c.cpuUs / c.runs;
    });
    console.log(`  ${layout.padEnd(8)} ${mode.padEnd(5)} L ${String(L).padEnd(4)} ${(a! / b!).toFixed(3)}`);
  }
}
for (const t of trees) for (const index of t.indexes.values()) index.close();
