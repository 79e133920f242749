// CPU and latency per query of page search against id-order search (issue 10), and of one source tree
// against another, side by side in one process: {id, page, --also ...} × {beam, pipe} × L, for this
// tree and optionally an older one (`--before TREE`: an exported checkout with its dist/), every
// combination at every L interleaved query by query (reversed every other query), so a neighbour's
// load hits all of them alike. Per combination: recall@10, mean latency, process CPU time per query (user +
// system, and user alone — preemption does not count), reads, expansions, page hops, co-located
// records scored, PQ distances and system calls; then, per tree, each curve interpolated at the
// target recall and the page ÷ id ratios of reads, latency and CPU.
// `--reader direct` (default): O_DIRECT io_uring, every index file read through once first (the virtual
// disk's host caches what was read recently). `--reader sim`: an in-memory reader (SimReader, reads due
// `--delay` exchanges later; no device, deterministic), for counting work without I/O.
// Run:
//   node_modules/.bin/bun bench/page-cpu.ts --id $D/idx/sift1m_R64_L100 --page $S/sift1m-page2 \
//     --queries $D/queries.u8bin --gt $D/gt100.bin [--L 30,40,50,60,70] [--width 4] [--queries-limit 500]
//     [--modes beam,pipe] [--also NAME=PREFIX ...] [--before TREE] [--page-expand queued] [--recall 0.95]
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { metricAtRecall } from "../src/data/at-recall.ts";

const { values } = parseArgs({
  options: {
    id: { type: "string" },
    page: { type: "string" },
    queries: { type: "string" },
    gt: { type: "string" },
    L: { type: "string", default: "30,40,50,60,70" },
    width: { type: "string", default: "4" },
    "queries-limit": { type: "string", default: "500" },
    also: { type: "string", multiple: true, default: [] },
    before: { type: "string" },
    "page-expand": { type: "string" },
    modes: { type: "string", default: "beam,pipe" },
    reader: { type: "string", default: "direct" },
    delay: { type: "string", default: "16" },
    recall: { type: "string", default: "0.95" },
    warmup: { type: "string", default: "20" },
  },
});
if (!values.id || !values.page || !values.queries || !values.gt) {
  console.error(
    "usage: bun bench/page-cpu.ts --id PREFIX --page PREFIX --queries Q --gt GT [--L 30,40,50] [--before TREE] [--reader direct|sim]",
  );
  process.exit(2);
}
const Ls = values.L!.split(",").map(Number);
const width = Number(values.width);
const modes = values.modes!.split(",") as ("beam" | "pipe")[];
const target = Number(values.recall);
const maxL = Math.max(...Ls);
const k = 10;
// `--also NAME=PREFIX[@eager|@batch|@plain|@waitN|@POLICY]`: another layout, or the same one with another
// submit policy, searched node by node (@plain: page search off), with page pipe waiting for N completions
// while all its reads are in flight (@wait1: every one; PagePipeSearch.waitMany), or with another
// page-expand policy.
const layouts: { name: string; prefix: string; submit?: string }[] = [
  { name: "id", prefix: values.id },
  { name: "page", prefix: values.page },
  ...(values.also as string[]).map((s) => {
    const [prefix, submit] = s.slice(s.indexOf("=") + 1).split("@");
    return { name: s.slice(0, s.indexOf("=")), prefix: prefix!, submit };
  }),
];
const sim = values.reader === "sim";
const delay = Number(values.delay);
// One copy of each disk file, shared by both trees' in-memory readers; or each file read through once.
const disks = new Map<string, Uint8Array>();
for (const l of layouts) {
  const file = `${l.prefix}_disk.index`;
  if (layouts.find((o) => o.prefix === l.prefix) !== l) continue;
  if (sim) {
    disks.set(l.name, new Uint8Array(readFileSync(file)));
    continue;
  }
  const dd = Bun.spawnSync(["dd", `if=${file}`, "of=/dev/null", "bs=4M", "iflag=direct"], { stderr: "pipe" });
  if (dd.exitCode !== 0) throw new Error(`reading ${file} through failed: ${dd.stderr.toString()}`);
}

interface Tree {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: DiskIndex of either source tree, loaded at run time
  indexes: Map<string, any>;
  // biome-ignore lint/suspicious/noExplicitAny: recallAtK of either tree
  recallAtK: any;
}
async function tree(name: string, dir: string): Promise<Tree> {
  const { DiskIndex } = await import(`${dir}/src/search/disk-index.ts`);
  const { SimReader } = await import(`${dir}/src/io/sim-reader.ts`);
  const { recallAtK } = await import(`${dir}/src/data/recall.ts`);
  const indexes = new Map();
  for (const l of layouts) {
    const disk = disks.get(layouts.find((o) => o.prefix === l.prefix)!.name);
    indexes.set(
      l.name,
      await DiskIndex.open(l.prefix, {
        maxL,
        maxWidth: width,
        ...(l.submit === "plain"
          ? { pageSearch: false }
          : l.submit === "eager" || l.submit === "batch"
            ? { submit: l.submit }
            : {}),
        openReader: sim
          ? (file: string, g: { slotBytes: number; slotCount: number }) =>
              new SimReader(disk, { ...g, file, minDelayTicks: delay, maxDelayTicks: delay, shuffle: false })
          : undefined,
      }),
    );
  }
  for (const l of layouts) {
    if (!l.submit?.startsWith("wait")) continue;
    const m = indexes.get(l.name).machineFor("pipe");
    if ("waitMany" in m) m.waitMany = Number(l.submit.slice(4));
  }
  return { name, indexes, recallAtK };
}
const trees = [await tree("after", resolve(import.meta.dir, ".."))];
if (values.before) trees.unshift(await tree("before", resolve(values.before)));
const { openVectorFile } = await import("../src/format/vector-file.ts");
const { readTruth } = await import("../src/format/truth.ts");
const qf = openVectorFile(values.queries);
const nq = Math.min(Number(values["queries-limit"]), qf.npts);
const dim = qf.dim;
const queries = qf.readRows(0, nq);
qf.close();
const truth = readTruth(values.gt);

const COUNTERS = [
  "reads",
  "hops",
  "pageHops",
  "pageNodes",
  "pqDistances",
  "ioCalls",
  "latencyUs",
  "wastedReads",
] as const;
interface Combo {
  tree: Tree;
  layout: string;
  mode: "beam" | "pipe";
  // biome-ignore lint/suspicious/noExplicitAny: DiskIndex of either tree
  index: any;
  params: unknown;
  ids: Uint32Array;
  dists: Float32Array;
  cpuUs: number;
  userUs: number;
  counts: number[];
}
interface Row {
  tree: string;
  layout: string;
  mode: string;
  L: number;
  recall: number;
  cpu: number;
  user: number;
  reads: number;
  hops: number;
  pageHops: number;
  pageNodes: number;
  pq: number;
  calls: number;
  mean: number;
  wasted: number;
}
const rows: Row[] = [];
const started = performance.now();
// Every L in one pass: a machine whose speed drifts during the run (a neighbour starting up) then hits
// every L alike — the curves are interpolated across L, so L-by-L phases would bias the ratios.
const combos: (Combo & { L: number })[] = [];
for (const L of Ls)
  for (const t of trees)
    for (const mode of modes)
      for (const l of layouts) {
        const index = t.indexes.get(l.name);
        const opts: Record<string, unknown> = { mode, L, k, width };
        if (t.indexes.get(l.name).page.search) {
          if (values["page-expand"]) opts.pageExpand = values["page-expand"];
          if (l.submit && !["plain", "eager", "batch"].includes(l.submit) && !l.submit.startsWith("wait"))
            opts.pageExpand = l.submit;
        }
        let params: unknown;
        try {
          params = index.resolve(opts);
        } catch {
          continue; // an option this tree does not have (e.g. a newer page-expand policy)
        }
        combos.push({
          L,
          tree: t,
          layout: l.name,
          mode,
          index,
          params,
          ids: new Uint32Array(nq * k).fill(0xffffffff),
          dists: new Float32Array(nq * k),
          cpuUs: 0,
          userUs: 0,
          counts: COUNTERS.map(() => 0),
        });
      }
const warm = Math.min(nq, Number(values.warmup));
for (const c of combos)
  for (let q = 0; q < warm; q++) c.index.searchInto(queries, q * dim, c.params, c.ids, c.dists, q * k);
const reversed = [...combos].reverse();
for (let q = 0; q < nq; q++) {
  for (const c of q % 2 === 0 ? combos : reversed) {
    c.index.driver.drain();
    const c0 = process.cpuUsage();
    c.index.searchInto(queries, q * dim, c.params, c.ids, c.dists, q * k);
    const used = process.cpuUsage(c0);
    c.cpuUs += used.user + used.system;
    c.userUs += used.user;
    const s = c.index.machineFor(c.mode).stats;
    for (let i = 0; i < COUNTERS.length; i++) c.counts[i]! += s[COUNTERS[i]!];
  }
  if ((q + 1) % 100 === 0)
    process.stderr.write(`${q + 1} queries (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
}
for (const c of combos) {
  const [reads, hops, pageHops, pageNodes, pq, calls, lat, wasted] = c.counts.map((x) => x / nq) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  rows.push({
    tree: c.tree.name,
    layout: c.layout,
    mode: c.mode,
    L: c.L,
    recall: c.tree.recallAtK({ nq, stride: k, ids: c.ids, dists: c.dists }, truth, k),
    cpu: c.cpuUs / nq,
    user: c.userUs / nq,
    reads,
    hops,
    pageHops,
    pageNodes,
    pq,
    calls,
    mean: lat,
    wasted,
  });
}

const load = readFileSync("/proc/loadavg", "utf8").trim();
const how = sim ? `in-memory reader, reads due ${delay} exchanges later` : "O_DIRECT io_uring";
console.log(`# ${nq} queries, W ${width}, ${how}, interleaved query by query; load at the end ${load}`);
for (const t of trees)
  console.log(
    `# ${t.name}: submit policy ${layouts.map((l) => `${l.name} ${t.indexes.get(l.name).submitPolicy}`).join(", ")}`,
  );
console.log(
  "tree    layout   mode     L  recall   mean µs  cpu µs/q  user µs   reads    hops  pagehops  pagenodes  pqdists  syscalls  wasted",
);
const f = (x: number, w: number, d = 1): string => x.toFixed(d).padStart(w);
for (const r of rows)
  console.log(
    `${r.tree.padEnd(7)} ${r.layout.padEnd(8)} ${r.mode.padEnd(5)} ${String(r.L).padStart(4)}  ${r.recall.toFixed(4)} ${f(r.mean, 9, 0)} ${f(r.cpu, 9, 0)} ${f(r.user, 8, 0)} ${f(r.reads, 7)} ${f(r.hops, 7)} ${f(r.pageHops, 9)} ${f(r.pageNodes, 10)} ${f(r.pq, 8, 0)} ${f(r.calls, 9)} ${f(r.wasted, 7)}`,
  );

/** A curve's metric at recall `at`, linearly interpolated between the two L that bracket it (null: never reached). */
function atRecall(t: string, layout: string, mode: string, metric: (r: Row) => number): number | null {
  const curve = Ls.map((L) => rows.find((r) => r.tree === t && r.layout === layout && r.mode === mode && r.L === L)!);
  if (curve.some((r) => r === undefined)) return null;
  return metricAtRecall(curve, target, metric);
}
const show = (x: number | null, d = 1): string => (x === null ? "n/a" : x.toFixed(d));
console.log(`\nat recall@10 = ${target} (interpolated on each curve)`);
for (const t of trees) {
  for (const mode of modes) {
    for (const l of layouts) {
      const m = (g: (r: Row) => number): number | null => atRecall(t.name, l.name, mode, g);
      const idm = (g: (r: Row) => number): number | null => atRecall(t.name, "id", mode, g);
      const ratio = (g: (r: Row) => number): string => {
        const a = m(g);
        const b = idm(g);
        return a === null || b === null ? "n/a" : (a / b).toFixed(3);
      };
      console.log(
        `  ${t.name.padEnd(7)} ${l.name.padEnd(8)} ${mode.padEnd(5)} reads ${show(m((r) => r.reads)).padStart(6)}  mean ${show(
          m((r) => r.mean),
          0,
        ).padStart(6)} µs  cpu ${show(
          m((r) => r.cpu),
          0,
        ).padStart(6)} µs  user ${show(
          m((r) => r.user),
          0,
        ).padStart(5)} µs` +
          (l.name === "id"
            ? ""
            : `   ÷ id: reads ${ratio((r) => r.reads)}  mean ${ratio((r) => r.mean)}  cpu ${ratio((r) => r.cpu)}  user ${ratio((r) => r.user)}`),
      );
    }
  }
  if (modes.includes("beam") && modes.includes("pipe")) {
    for (const l of layouts) {
      const p = atRecall(t.name, l.name, "pipe", (r) => r.mean);
      const b = atRecall(t.name, l.name, "beam", (r) => r.mean);
      console.log(
        `  ${t.name.padEnd(7)} ${l.name.padEnd(8)} pipe ÷ beam mean ${p === null || b === null ? "n/a" : (p / b).toFixed(3)}`,
      );
    }
  }
}
for (const t of trees) for (const index of t.indexes.values()) index.close();
