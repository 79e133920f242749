// CPU cost of the label-aware build's proposals (label-proposals.ts) by label size, one thread, for
// several settings run one after another on the graph of an existing (plain) index: where the
// stitching time goes, and what exactMaxPoints / maxCandidates change. Times are process CPU time.
// Run: node_modules/.bin/bun bench/label-proposals.ts --index idx/syn50k --data data/syn50k/base.fbin \
//        --labels data/syn50k/base_labels.txt [--settings 1000:400,2000:400] (exactMaxPoints:maxCandidates)
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { LabelLists } from "../src/build/filtered-prune.ts";
import { LabelProposer } from "../src/build/label-proposals.ts";
import { SharedGraph } from "../src/build/shared-graph.ts";
import { parseLabelText } from "../src/format/label-files.ts";
import { openVectorFile } from "../src/format/vector-file.ts";
import type { Vectors } from "../src/format/vector-type.ts";
import { loadNativeKernels } from "../src/math/native-kernels.ts";
import { DiskIndex } from "../src/search/disk-index.ts";

const { values } = parseArgs({
  options: {
    index: { type: "string" },
    data: { type: "string" },
    labels: { type: "string" },
    settings: { type: "string", default: "1000:400,2000:400" },
  },
});
if (!values.index || !values.data || !values.labels) {
  console.error("usage: bun bench/label-proposals.ts --index P --data F --labels F [--settings E:C,...]");
  process.exit(2);
}
const file = openVectorFile(values.data);
const npts = file.npts;
const vectors = file.readRows(0, npts) as Vectors;
file.close();
const index = await DiskIndex.open(values.index, { backend: "pread", cacheNodes: npts });
const graph = SharedGraph.allocate(npts, index.meta.R);
for (let id = 0; id < npts; id++) {
  const src = index.source;
  src.load(src.cached(id), id);
  graph.degree[id] = src.degree;
  graph.nbrs.set(src.nbrs.subarray(src.nbrsOffset, src.nbrsOffset + src.degree), id * graph.slots);
}
const type = index.meta.type;
const dim = index.meta.dim;
const metric = index.metric === "cosine" ? "l2" : index.metric;
index.close();
const lists = new LabelLists(parseLabelText(readFileSync(values.labels, "utf8"), values.labels));
const kernels = await loadNativeKernels();
const perPoint = 8;
console.log(["exactMax", "maxCand", "labels", "points", "path", "cpu_s", "us_per_point"].join("\t"));
for (const setting of values.settings!.split(",")) {
  const [exactMaxPoints, maxCandidates] = setting.split(":").map(Number) as [number, number];
  const proposer = new LabelProposer(graph, {
    vectors,
    dim,
    type,
    metric,
    alpha: 1.2,
    kernels,
    perPoint,
    exactMaxPoints,
    maxCandidates,
  });
  const groups = new Map<string, { labels: number; points: number; us: number }>();
  for (const members of lists.postings) {
    if (members.length < 2 || members.length > 0.2 * npts) continue;
    const out = new Uint32Array(members.length * perPoint);
    const before = process.cpuUsage();
    proposer.propose(members, out, 0);
    const used = process.cpuUsage(before);
    const path =
      members.length > exactMaxPoints ? "two hops + sample" : members.length > 200 ? "exact 201+" : "exact ≤200";
    const g = groups.get(path) ?? { labels: 0, points: 0, us: 0 };
    g.labels++;
    g.points += members.length;
    g.us += used.user + used.system;
    groups.set(path, g);
  }
  let total = 0;
  for (const [path, g] of groups) {
    total += g.us;
    console.log(
      [
        exactMaxPoints,
        maxCandidates,
        g.labels,
        g.points,
        path,
        (g.us / 1e6).toFixed(2),
        (g.us / g.points).toFixed(0),
      ].join("\t"),
    );
  }
  console.log([exactMaxPoints, maxCandidates, "", "", "total", (total / 1e6).toFixed(2), ""].join("\t"));
}
