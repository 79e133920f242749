// Garbage collections while search Workers search (issue 15): the proof that a Worker's query
// path allocates nothing and that no collection overlaps a query. The script runs itself as a
// child with JavaScriptCore's GC log on (BUN_JSC_logGC=1: one "[GC<heap>: START" line per
// collection; each heap is one VM, i.e. one thread) and RINGANN_TRACE_RUNS=1 (each Worker writes a
// marker as it enters and leaves its query loop; the child marks each run). Markers are direct
// writes, so they land in order with the log. A collection counts when it starts while some Worker
// is inside its query loop; the main thread's heap is found by collecting it between two markers.
//
//   node_modules/.bin/bun bench/worker-gc.ts --index $DATA/idx/fmnist_R64_L100 --dataset $DATA/fmnist \
//       [--threads 2] [--queries 3000] [--warmup 300] [--L 20,100] [--mode beam,pipe] [--concurrency 1,4]
import { spawnSync } from "node:child_process";
import { writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { flagString, parseArgs, requireString } from "../src/cli/args.ts";
import { readManifest } from "../src/data/manifest.ts";
import { readBin } from "../src/format/bin.ts";
import { allocSharedResults } from "../src/run/exec/pool-protocol.ts";
import { SearchPool } from "../src/run/exec/pool.ts";
import { loadSharedIndex } from "../src/run/exec/shared-index.ts";

const args = parseArgs(process.argv.slice(2), {
  index: { type: "string", help: "index prefix" },
  dataset: { type: "string", help: "dataset folder with manifest.json" },
  threads: { type: "string", help: "Workers", default: "2" },
  queries: { type: "string", help: "queries per measured run", default: "3000" },
  warmup: { type: "string", help: "warm-up queries before each run", default: "300" },
  L: { type: "string", help: "list sizes, comma-separated", default: "20,100" },
  mode: { type: "string", help: "beam,pipe", default: "beam,pipe" },
  width: { type: "string", help: "W", default: "4" },
  concurrency: { type: "string", help: "queries interleaved per Worker, comma-separated", default: "1,4" },
  child: { type: "boolean", help: "(internal) run the pool and print markers" },
});
const numbers = (name: string) => flagString(args, name)!.split(",").map(Number);
const MARK = "@@ringann-gc-mark";

if (args.flags.has("child")) await child();
else parent();

async function child(): Promise<void> {
  const mark = (what: string) => writeSync(2, `${MARK} ${what}\n`);
  const dataset = resolve(requireString(args, "dataset"));
  const manifest = readManifest(dataset);
  const queries = readBin(manifest.queries, undefined, { shared: true });
  const nq = Math.min(queries.npts, Number(flagString(args, "queries")));
  const Ls = numbers("L");
  const modes = flagString(args, "mode")!.split(",") as ("beam" | "pipe")[];
  const width = Number(flagString(args, "width"));
  const concurrency = numbers("concurrency");
  const specs = modes.flatMap((mode) => Ls.map((L) => ({ mode, L })));
  const { parts, resolved } = await loadSharedIndex(
    resolve(requireString(args, "index")),
    {
      backend: "auto",
      cacheNodes: 0,
      entryGraph: true,
      maxL: Math.max(...Ls),
      maxWidth: width,
    },
    (index) => specs.map((s) => index.resolve({ k: 10, L: s.L, mode: s.mode, width })),
  );
  mark("main-gc-begin");
  Bun.gc(true);
  mark("main-gc-end");
  const results = allocSharedResults(nq, 10);
  const pool = await SearchPool.start({
    threads: Number(flagString(args, "threads")),
    index: parts,
    backend: "auto",
    queries: queries.data,
    dim: queries.dim,
    k: 10,
    maxL: Math.max(...Ls),
    maxWidth: width,
    maxConcurrency: Math.max(...concurrency),
    results,
  });
  try {
    for (const c of concurrency) {
      for (const [i, s] of specs.entries()) {
        const run = { combos: [{ mode: s.mode, params: resolved[i]! }], concurrency: c };
        await pool.run({ ...run, count: Math.min(nq, Number(flagString(args, "warmup"))) });
        mark(`begin ${s.mode} L=${s.L} C=${c}`);
        const t = await pool.run({ ...run, count: nq });
        mark(`end ${s.mode} L=${s.L} C=${c} ${nq} queries ${(nq / (t.wallMs / 1000)).toFixed(0)} QPS`);
      }
    }
  } finally {
    await pool.close();
  }
}

function parent(): void {
  const argv = [join(import.meta.dir, "worker-gc.ts"), ...process.argv.slice(2), "--child"];
  const out = spawnSync(process.execPath, argv, {
    env: { ...process.env, BUN_JSC_logGC: "1", RINGANN_TRACE_RUNS: "1" },
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (out.status !== 0) {
    process.stderr.write(
      out.stderr
        .split("\n")
        .filter((l) => !l.includes("GC"))
        .slice(-20)
        .join("\n"),
    );
    process.exit(out.status ?? 1);
  }
  // Markers are single short writes (never split); a log line may be split around one, so scan
  // the whole text for the tokens in order. A collection counts when it starts while at least
  // one Worker is inside its query loop (between its "searching" and "idle" markers).
  let mainHeap = "";
  let inMainGc = false;
  let run: string | null = null;
  const searching = new Set<string>();
  let workerGcs = 0;
  let mainGcs = 0;
  const lines: string[] = [];
  const tokens =
    /@@ringann-gc-mark ([^\n]*)\n|@@ringann-run worker (\d+) (searching|idle)\n|\[GC<(0x[0-9a-f]+)>: START/g;
  for (const m of out.stderr.matchAll(tokens)) {
    const [, what, worker, state, heap] = m;
    if (heap !== undefined) {
      if (inMainGc) mainHeap = heap;
      if (run === null || searching.size === 0) continue;
      if (heap === mainHeap) mainGcs++;
      else workerGcs++;
    } else if (worker !== undefined) {
      if (state === "searching") searching.add(worker);
      else searching.delete(worker);
    } else if (what === "main-gc-begin") inMainGc = true;
    else if (what === "main-gc-end") inMainGc = false;
    else if (what!.startsWith("begin ")) {
      run = what!.slice(6);
      workerGcs = mainGcs = 0;
    } else if (what!.startsWith("end ")) {
      lines.push(`| ${what!.slice(4)} | ${workerGcs} | ${mainGcs} |`);
      run = null;
    }
  }
  console.log(
    `threads ${flagString(args, "threads")}, W ${flagString(args, "width")}, warm-up ${flagString(args, "warmup")} queries before each run`,
  );
  console.log("| run | Worker heap collections while a Worker searched | main-thread collections meanwhile |");
  console.log("|---|---:|---:|");
  for (const l of lines) console.log(l);
}
