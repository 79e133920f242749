// Unfiltered search on a plain graph and on its label-aware build, side by side in one run (issue 12:
// the label-aware graph must not be worse on unfiltered queries). Same queries, interleaved per query
// (plain q0, aware q0, plain q1, ...), pipe W=4 (or --mode beam: W=4 rounds, whose reads and recall do
// not depend on I/O timing, unlike pipe's), O_DIRECT, one thread.
// Run: node_modules/.bin/bun bench/label-aware.ts --plain idx/syn50k --aware idx/syn50k_aware \
//        --queries data/syn50k/queries.fbin --gt data/syn50k/gt100.bin [--L 10,20,50,100] [--queries-limit 1000] [--mode pipe|beam]
import { parseArgs } from "node:util";
import { recallAtK } from "../src/data/recall.ts";
import { readTruth } from "../src/format/truth.ts";
import { openVectorFile } from "../src/format/vector-file.ts";
import type { Vectors } from "../src/format/vector-type.ts";
import { DiskIndex } from "../src/search/disk-index.ts";
import { RunCollector } from "../src/search/stats.ts";

const { values } = parseArgs({
  options: {
    plain: { type: "string" },
    aware: { type: "string" },
    queries: { type: "string" },
    gt: { type: "string" },
    L: { type: "string", default: "10,20,50,100" },
    "queries-limit": { type: "string", default: "1000" },
    mode: { type: "string", default: "pipe" },
  },
});
if (!values.plain || !values.aware || !values.queries || !values.gt) {
  console.error(
    "usage: bun bench/label-aware.ts --plain P --aware A --queries Q --gt G [--L ...] [--queries-limit N] [--mode pipe|beam]",
  );
  process.exit(2);
}
const k = 10;
const mode = values.mode === "beam" ? "beam" : "pipe";
const q = openVectorFile(values.queries);
const nq = Math.min(q.npts, Number(values["queries-limit"]));
const data = q.readRows(0, nq) as Vectors;
const dim = q.dim;
q.close();
const truth = readTruth(values.gt);
const indexes = [await DiskIndex.open(values.plain), await DiskIndex.open(values.aware)];
console.log(["index", "L", "recall@10", "mean_us", "reads", "hops"].join("\t"));
for (const L of values.L!.split(",").map(Number)) {
  const runs = indexes.map(() => ({
    ids: new Uint32Array(nq * k),
    dists: new Float32Array(nq * k),
    c: new RunCollector(nq),
  }));
  const p = indexes[0]!.resolve({ k, L, mode, width: 4 });
  for (let i = 0; i < Math.min(20, nq); i++)
    for (const ix of indexes) ix.searchInto(data, i * dim, p, runs[0]!.ids, runs[0]!.dists, 0);
  for (let i = 0; i < nq; i++) {
    indexes.forEach((ix, j) => {
      ix.driver.drain();
      ix.searchInto(data, i * dim, p, runs[j]!.ids, runs[j]!.dists, i * k);
      runs[j]!.c.add(ix.machineFor(mode).stats);
    });
  }
  indexes.forEach((_ix, j) => {
    const r = runs[j]!;
    const s = r.c.summarize();
    const recall = recallAtK({ nq, stride: k, ids: r.ids, dists: r.dists }, truth, k);
    console.log(
      [
        j === 0 ? "plain" : "label-aware",
        L,
        recall.toFixed(4),
        s.mean_us.toFixed(0),
        s.reads.toFixed(1),
        s.hops.toFixed(1),
      ].join("\t"),
    );
  });
}
for (const ix of indexes) ix.close();
