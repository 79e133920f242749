// Page layout + page search against DiskANN's id-order layout (issue 10's benchmark): the same
// graph in two layouts (`ringann relayout ID --out PAGE`), {id, page} × {beam, pipe} at each L,
// one thread, O_DIRECT, queries interleaved (id/beam q0, id/pipe q0, page/beam q0, page/pipe q0,
// then q1 in reverse order, …) so a noisy shared machine hits every combination alike. Prints the four-way table, then
// ratios per L and, interpolated on each curve at the target recall, page reads / id reads and
// pipe latencies, against the targets (recall@10 ≥ 0.95):
//   reads(page + page search) ≤ 0.7 × reads(id order);  pipe mean(page) ≤ 0.8 × pipe mean(id);
//   pipe mean(page) < beam mean(page).
// `--plain` adds the page layout searched node by node (page search off), to separate the effects.
// `--also NAME=PREFIX` (repeatable) adds another page layout of the same graph (e.g. without the
// refinement passes: `ringann relayout --refine-passes 0`), and `--page-expand a,b` runs the page
// layouts once per policy, all interleaved with the rest; each gets its ratios against id order.
// Run:
//   node_modules/.bin/bun bench/page-search.ts --id $IDX/glove_R64_L100 --page $IDX/glove_R64_L100-page \
//     --queries $DATA/glove/queries.fbin --gt $DATA/glove/gt100.bin [--L 10,20,30,50,70,100] [--width 4]
//     [--queries-limit 1000] [--recall 0.95] [--page-expand queued[,all,...]] [--plain] [--also NAME=PREFIX ...]
import { parseArgs } from "node:util";
import { metricAtRecall } from "../src/data/at-recall.ts";
import { recallAtK } from "../src/data/recall.ts";
import { readTruth } from "../src/format/truth.ts";
import { openVectorFile } from "../src/format/vector-file.ts";
import type { Vectors } from "../src/format/vector-type.ts";
import { DiskIndex, type SearchMode } from "../src/search/disk-index.ts";
import type { PageExpand } from "../src/search/page-machine.ts";
import { RunCollector, type RunFigures } from "../src/search/stats.ts";

const { values } = parseArgs({
  options: {
    id: { type: "string" },
    page: { type: "string" },
    queries: { type: "string" },
    gt: { type: "string" },
    L: { type: "string", default: "10,20,30,50,70,100" },
    width: { type: "string", default: "4" },
    "queries-limit": { type: "string", default: "1000" },
    recall: { type: "string", default: "0.95" },
    "page-expand": { type: "string", default: "queued" },
    warmup: { type: "string", default: "30" },
    plain: { type: "boolean", default: false },
    also: { type: "string", multiple: true, default: [] },
  },
});
if (!values.id || !values.page || !values.queries || !values.gt) {
  console.error(
    "usage: bun bench/page-search.ts --id PREFIX --page PREFIX --queries Q --gt GT [--L ...] [--width 4] [--plain]",
  );
  process.exit(2);
}
const Ls = values.L!.split(",").map(Number);
const width = Number(values.width);
const target = Number(values.recall);
const k = 10;
const qFile = openVectorFile(values.queries);
const count = Math.min(qFile.npts, Number(values["queries-limit"]));
const data = qFile.readRows(0, count) as Vectors;
const dim = qFile.dim;
qFile.close();
const truth = readTruth(values.gt);
const maxL = Math.max(...Ls);

/** One searched configuration: an index (layout) and the page-expand policy its page searches use. */
interface Layout {
  name: string;
  index: DiskIndex;
  pageExpand: PageExpand;
}
// The virtual disk's host caches what was read recently (a cold file read at depth 1 ran 4,300 IOPS, a warm one
// 14,000): read every index file through once, bypassing this machine's page cache, so no layout starts cold.
const alsoSpecs = values.also as string[];
for (const prefix of [values.id, values.page, ...alsoSpecs.map((s) => s.slice(s.indexOf("=") + 1))]) {
  const file = `${prefix}_disk.index`;
  const dd = Bun.spawnSync(["dd", `if=${file}`, "of=/dev/null", "bs=4M", "iflag=direct"], { stderr: "pipe" });
  if (dd.exitCode !== 0) throw new Error(`reading ${file} through failed: ${dd.stderr.toString()}`);
}
const policies = values["page-expand"]!.split(",") as PageExpand[];
const idIndex = await DiskIndex.open(values.id, { maxL, maxWidth: width });
const pageIndexes: { name: string; index: DiskIndex }[] = [
  { name: "page", index: await DiskIndex.open(values.page, { maxL, maxWidth: width }) },
];
for (const spec of alsoSpecs) {
  const eq = spec.indexOf("=");
  if (eq <= 0) {
    console.error(`--also expects NAME=PREFIX, got '${spec}'`);
    process.exit(2);
  }
  pageIndexes.push({
    name: spec.slice(0, eq),
    index: await DiskIndex.open(spec.slice(eq + 1), { maxL, maxWidth: width }),
  });
}
const layouts: Layout[] = [{ name: "id", index: idIndex, pageExpand: policies[0]! }];
for (const p of pageIndexes)
  for (const policy of policies)
    layouts.push({ name: policies.length > 1 ? `${p.name}:${policy}` : p.name, index: p.index, pageExpand: policy });
if (values.plain)
  layouts.push({
    name: "page-plain",
    index: await DiskIndex.open(values.page, { maxL, maxWidth: width, pageSearch: false }),
    pageExpand: policies[0]!,
  });
const modes: SearchMode[] = ["beam", "pipe"];

type Row = RunFigures & { layout: string; mode: string; L: number; recall: number };
const rows: Row[] = [];
const started = performance.now();
for (const L of Ls) {
  const combos = layouts.flatMap((lay) =>
    modes.map((mode) => ({
      lay,
      mode,
      params: lay.index.resolve({ k, L, mode, width, pageExpand: lay.pageExpand }),
      ids: new Uint32Array(count * k),
      dists: new Float32Array(count * k),
      collector: new RunCollector(count),
      wallMs: 0,
    })),
  );
  const warm = Math.min(count, Number(values.warmup));
  for (const c of combos)
    for (let q = 0; q < warm; q++) c.lay.index.searchInto(data, q * dim, c.params, c.ids, c.dists, q * k);
  // Every other query runs the combinations in reverse: a search that follows another on the same
  // query finds some of its sectors in the disk's own cache, which would favour whichever goes later.
  const reversed = [...combos].reverse();
  for (let q = 0; q < count; q++) {
    for (const c of q % 2 === 0 ? combos : reversed) {
      c.lay.index.driver.drain();
      const t0 = performance.now();
      c.lay.index.searchInto(data, q * dim, c.params, c.ids, c.dists, q * k);
      c.wallMs += performance.now() - t0;
      c.collector.add(c.lay.index.machineFor(c.mode).stats);
    }
  }
  for (const c of combos) {
    const recall = recallAtK({ nq: count, stride: k, ids: c.ids, dists: c.dists }, truth, k);
    rows.push({ ...c.collector.summarize(), layout: c.lay.name, mode: c.mode, L, recall });
  }
  process.stderr.write(`L=${L} done (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
}

const idx = pageIndexes[0]!.index;
const pm = idx.page.meta;
for (const p of pageIndexes.slice(1)) {
  const m = p.index.page.meta;
  console.log(
    `# ${p.name}: overlap ${m ? (100 * m.overlap.outNeighbours).toFixed(1) : "?"}% of out-neighbours / ${m ? (100 * m.overlap.sectorMates).toFixed(1) : "?"}% of sector mates (${m?.algorithm ?? "?"})`,
  );
}
console.log(
  `# ${values.page}: ${idx.meta.npts} × ${idx.dim} ${idx.meta.type} ${idx.metric}, R ${idx.meta.R}, ${idx.meta.nodesPerSector} nodes/sector, ` +
    `overlap ${pm ? (100 * pm.overlap.outNeighbours).toFixed(1) : "?"}% of out-neighbours / ${pm ? (100 * pm.overlap.sectorMates).toFixed(1) : "?"}% of sector mates ` +
    `(id order ${pm ? (100 * pm.overlapBefore.outNeighbours).toFixed(2) : "?"}% / ${pm ? (100 * pm.overlapBefore.sectorMates).toFixed(2) : "?"}%); ` +
    `W ${width}, ${count} queries, page expand ${values["page-expand"]}, ${idx.reader.backend}, ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
const nameWidth = Math.max(10, ...layouts.map((l) => l.name.length));
console.log(
  "layout".padEnd(nameWidth) + " mode    L  recall@10   mean_us    p99_us   reads  used/read  page_hops/read",
);
for (const r of rows) {
  console.log(
    `${r.layout.padEnd(nameWidth)} ${r.mode.padEnd(5)} ${String(r.L).padStart(4)}  ${r.recall.toFixed(4)}  ${r.mean_us.toFixed(0).padStart(8)}  ` +
      `${r.p99_us.toFixed(0).padStart(8)}  ${r.reads.toFixed(1).padStart(6)}  ${(1 + r.page_nodes / Math.max(1e-9, r.reads)).toFixed(2).padStart(9)}  ` +
      `${(r.page_hops / Math.max(1e-9, r.reads)).toFixed(2).padStart(14)}`,
  );
}
const get = (layout: string, mode: string, L: number): Row =>
  rows.find((r) => r.layout === layout && r.mode === mode && r.L === L)!;
const pageNames = layouts.map((l) => l.name).filter((n) => n !== "id" && n !== "page-plain");
for (const name of pageNames) {
  console.log(
    `\nper L, ${name} against id (same L; page recall is higher, so these understate the gain at equal recall)`,
  );
  console.log(
    "   L  reads page/id beam  reads page/id pipe  mean page/id beam  mean page/id pipe  pipe/beam mean (page)",
  );
  for (const L of Ls) {
    const f = (x: number): string => x.toFixed(3).padStart(17);
    console.log(
      `${String(L).padStart(4)} ${f(get(name, "beam", L).reads / get("id", "beam", L).reads)}  ${f(get(name, "pipe", L).reads / get("id", "pipe", L).reads)}  ` +
        `${f(get(name, "beam", L).mean_us / get("id", "beam", L).mean_us)}  ${f(get(name, "pipe", L).mean_us / get("id", "pipe", L).mean_us)}  ` +
        `${f(get(name, "pipe", L).mean_us / get(name, "beam", L).mean_us)}`,
    );
  }
}

/** A curve's metric at recall `at`, linearly interpolated between the two L that bracket it (null: never reached). */
function atRecall(layout: string, mode: string, metric: (r: Row) => number, at: number): number | null {
  return metricAtRecall(
    Ls.map((L) => get(layout, mode, L)),
    at,
    metric,
  );
}
console.log(`\nat recall@10 = ${target} (interpolated on each curve)`);
const show = (x: number | null): string => (x === null ? "not reached" : x.toFixed(1));
for (const layout of layouts.map((l) => l.name)) {
  for (const mode of modes) {
    console.log(
      `  ${layout.padEnd(nameWidth)} ${mode.padEnd(5)} reads ${show(atRecall(layout, mode, (r) => r.reads, target)).padStart(8)}  ` +
        `mean ${show(atRecall(layout, mode, (r) => r.mean_us, target)).padStart(9)} us`,
    );
  }
}
const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a / b);
const verdict = (x: number | null, limit: number, strict = false): string =>
  x === null ? "n/a" : `${x.toFixed(3)} ${(strict ? x < limit : x <= limit) ? "met" : "NOT met"}`;
for (const name of pageNames) {
  const at = (layout: string, mode: string, metric: (r: Row) => number): number | null =>
    atRecall(layout, mode, metric, target);
  const readsBeam = ratio(
    at(name, "beam", (r) => r.reads),
    at("id", "beam", (r) => r.reads),
  );
  const readsPipe = ratio(
    at(name, "pipe", (r) => r.reads),
    at("id", "pipe", (r) => r.reads),
  );
  const pipeLat = ratio(
    at(name, "pipe", (r) => r.mean_us),
    at("id", "pipe", (r) => r.mean_us),
  );
  const pipeVsBeam = ratio(
    at(name, "pipe", (r) => r.mean_us),
    at(name, "beam", (r) => r.mean_us),
  );
  console.log(
    `${name}: reads page/id: beam ${verdict(readsBeam, 0.7)}, pipe ${verdict(readsPipe, 0.7)} (target ≤ 0.7); ` +
      `pipe mean page/id ${verdict(pipeLat, 0.8)} (target ≤ 0.8); page pipe/beam mean ${verdict(pipeVsBeam, 1, true)} (target < 1)`,
  );
}
const closed = new Set<DiskIndex>();
for (const l of layouts) {
  if (closed.has(l.index)) continue;
  closed.add(l.index);
  l.index.close();
}
