// Range search: rounds that continue the previous one (RangeMemory, the default) vs DiskANN's fresh
// rounds, side by side in one run, interleaved per query (restart q0, resume q0, restart q1, ...;
// abandoned reads drained in between), O_DIRECT, one thread. Per radius and mode: recall against the
// exact range truth, reads, reads per point found, mean latency, rounds — and the ratios resume /
// restart. The range truth files come from `ringann gt --radius R` (DiskANN's range format).
// Run:
//   node_modules/.bin/bun bench/range-resume.ts --index idx/fmnist --queries data/fmnist/queries.u8bin \
//     --range 614127:data/fmnist/range10.bin,1096652:data/fmnist/range100.bin,2091334:data/fmnist/range1000.bin \
//     [--queries-limit 200] [--L 10] [--mode pipe,beam] [--width 4] [--max-l 8192]
import { parseArgs } from "node:util";
import { rangeRecall } from "../src/data/filtered-truth.ts";
import { readRangeTruth } from "../src/format/range-truth.ts";
import { openVectorFile } from "../src/format/vector-file.ts";
import type { Vectors } from "../src/format/vector-type.ts";
import { DiskIndex, type SearchMode } from "../src/search/disk-index.ts";
import { FilterEngine, type ModeParams } from "../src/search/filter-engine.ts";

const { values } = parseArgs({
  options: {
    index: { type: "string" },
    queries: { type: "string" },
    range: { type: "string" },
    "queries-limit": { type: "string", default: "200" },
    L: { type: "string", default: "10" },
    mode: { type: "string", default: "pipe,beam" },
    width: { type: "string", default: "4" },
    "max-l": { type: "string", default: "8192" },
    warmup: { type: "string", default: "10" },
  },
});
if (!values.index || !values.queries || !values.range) {
  console.error("usage: bun bench/range-resume.ts --index P --queries Q --range R1:truth1,R2:truth2 [...]");
  process.exit(2);
}
const maxL = Number(values["max-l"]);
const qFile = openVectorFile(values.queries);
const nq = Math.min(qFile.npts, Number(values["queries-limit"]));
const queries = qFile.readRows(0, nq) as Vectors;
const dim = qFile.dim;
qFile.close();
const index = await DiskIndex.open(values.index, { maxL, maxWidth: 32 });
const resume = new FilterEngine(index.context, { submit: index.submitPolicy });
const restart = new FilterEngine(index.context, {
  submit: index.submitPolicy,
  rangeRestart: true,
  prior: [resume.plainBeam, resume.plainPipe, resume.beam, resume.pipe, resume.pre],
});
const variants = [
  { name: "restart", engine: restart },
  { name: "resume", engine: resume },
] as const;
const outIds = new Uint32Array(maxL);
const outDists = new Float32Array(maxL);
const drain = (): void => {
  resume.driver.drain();
  restart.driver.drain();
};

console.log(`# ${values.index}: ${index.meta.npts} points; ${nq} queries; load ${(await loadAvg()).join(" ")}`);
console.log("radius\tmode\tvariant\trecall\treads\treads/found\tmean_us\trounds\tfinal_L\tfound");
for (const spec of values.range.split(",")) {
  const [r, file] = spec.split(":");
  const radius = Number(r);
  const truth = readRangeTruth(file!);
  for (const mode of values.mode!.split(",") as SearchMode[]) {
    const params = index.resolve({ k: 10, L: Number(values.L), mode, width: Number(values.width) }) as ModeParams;
    const acc = variants.map(() => ({ found: [] as Uint32Array[], reads: 0, us: 0, rounds: 0, finalL: 0, n: 0 }));
    const warm = Math.min(nq, Number(values.warmup));
    for (let q = 0; q < warm; q++)
      for (const v of variants) {
        drain();
        v.engine.rangeInto(queries, q * dim, params, radius, maxL, null, outIds, outDists);
      }
    for (let q = 0; q < nq; q++) {
      for (const [i, v] of variants.entries()) {
        drain();
        const n = v.engine.rangeInto(queries, q * dim, params, radius, maxL, null, outIds, outDists);
        const a = acc[i]!;
        a.found.push(outIds.slice(0, n));
        a.reads += v.engine.rangeStats.reads;
        a.us += v.engine.rangeStats.latencyUs;
        a.rounds += v.engine.lastRounds;
        a.finalL += v.engine.lastFinalL;
        a.n += n;
      }
    }
    const rows = acc.map((a, i) => ({
      variant: variants[i]!.name,
      recall: rangeRecall(a.found, truth),
      reads: a.reads / nq,
      perFound: a.reads / Math.max(1, a.n),
      us: a.us / nq,
      rounds: a.rounds / nq,
      finalL: a.finalL / nq,
      found: a.n / nq,
    }));
    for (const x of rows) {
      console.log(
        `${radius}\t${mode}\t${x.variant}\t${x.recall.toFixed(4)}\t${x.reads.toFixed(1)}\t${x.perFound.toFixed(2)}\t` +
          `${x.us.toFixed(0)}\t${x.rounds.toFixed(2)}\t${x.finalL.toFixed(0)}\t${x.found.toFixed(1)}`,
      );
    }
    const [a, b] = rows;
    console.log(
      `${radius}\t${mode}\tratio\t${(b!.recall - a!.recall).toFixed(4)}Δ\t${(b!.reads / a!.reads).toFixed(3)}\t` +
        `${(b!.perFound / a!.perFound).toFixed(3)}\t${(b!.us / a!.us).toFixed(3)}`,
    );
  }
}
console.log(`# load after: ${(await loadAvg()).join(" ")}`);
index.close();

async function loadAvg(): Promise<string[]> {
  return (await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3);
}
