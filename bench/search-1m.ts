// Issue 9's benchmark: beam against pipelined search on a 1M × 128 uint8 index (SIFT-like synthetic,
// R 64, L 100, PQ 32 B), 1 thread, O_DIRECT, no SQPOLL, no spin — and, when --before names another
// ringann binary, that build against this one on the same index in the same run. Not part of CI.
//   1. Makes the data and the index when missing (`ringann dataset synthetic --type uint8`, `ringann
//      build`, both under `nice`; about an hour on 2 shared vCPUs) and writes README.txt beside them.
//   2. fio, random 4 KiB O_DIRECT reads of the index file at depth 8 (and 1): the device's IOPS.
//   3. Rounds: each binary runs `ringann search --mode beam,pipe --width W… --L …` (beam and pipe
//      interleaved per query); the binaries alternate, their order flipping every round, and so does
//      the modes' order (`pipe,beam` in odd rounds): the search that runs second on a query finds some
//      of its sectors in the disk's own cache, which favours whichever mode goes second (measured:
//      pipe ÷ beam 0.86 second, 0.97 first, at W 8 L 100). Use an even number of rounds. fio at
//      depth 8 runs again before every round (the virtual disk's speed drifts by 1.4× within
//      minutes); the floor uses the mean.
//   4. Syscall runs: one process per (binary, mode, W) under
//      `perf stat -e syscalls:sys_enter_io_uring_enter`, no warm-up: io_uring_enter calls ÷ reads.
// Prints, per binary and (mode, W, L): recall@10, mean/p99 µs, reads, occupancy, calls per read (own
// counter when the binary reports it; perf's figure per mode and W), then the targets.
// Run (DATA holds sift-like-1m/):
//   node_modules/.bin/bun bench/search-1m.ts --data $DATA/sift-like-1m [--before OLD/dist/ringann]
//     [--after dist/ringann] [--queries-limit 1000] [--rounds 2] [--perf-queries 300] [--widths 4,8]
//     [--variants "batch:--submit batch;eager:--submit eager"]
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    before: { type: "string" },
    after: { type: "string", default: "dist/ringann" },
    widths: { type: "string", default: "4,8" },
    L: { type: "string", default: "10,20,50,100,150" },
    "queries-limit": { type: "string", default: "1000" },
    rounds: { type: "string", default: "2" },
    "perf-queries": { type: "string", default: "300" },
    warmup: { type: "string", default: "50" },
    "fio-seconds": { type: "string", default: "10" },
    submit: { type: "string" },
    variants: { type: "string" },
    index: { type: "string", default: "idx/sift1m_R64_L100" },
    queries: { type: "string" },
    gt: { type: "string" },
  },
});
if (!values.data) {
  console.error(
    "usage: bun bench/search-1m.ts --data DIR [--before BIN] [--after BIN] [--queries-limit N] [--rounds R]",
  );
  process.exit(2);
}
const dataDir = values.data;
const prefix = join(dataDir, values.index!);
const queryFile = values.queries ?? join(dataDir, "queries.u8bin");
const gtFile = values.gt ?? join(dataDir, "gt100.bin");
const widths = values.widths!;
const Ls = values.L!.split(",").map(Number);
// The targets are at these L; the others (150) only extend pipe's curve for interpolation.
const targetLs = Ls.filter((L) => [10, 20, 50, 100].includes(L));
// --variants "batch:--submit batch;eager:--submit eager;plain:RINGANN_DEFER_TASKRUN=0": several runs of
// this build, each with its own extra flags and environment (the first is the one the targets are checked
// on); default one, "after".
interface Binary {
  name: string;
  bin: string;
  extra: string[];
  env?: Record<string, string>;
}
const binaries: Binary[] = values.variants
  ? values.variants.split(";").map((v) => {
      const [name, flags] = v.split(":");
      const tokens = (flags ?? "").split(" ").filter((f) => f !== "");
      const env = Object.fromEntries(
        tokens.filter((t) => /^[A-Z_]+=/.test(t)).map((t) => t.split("=") as [string, string]),
      );
      return { name: name!, bin: values.after!, extra: tokens.filter((t) => !/^[A-Z_]+=/.test(t)), env };
    })
  : [{ name: "after", bin: values.after!, extra: values.submit ? ["--submit", values.submit] : [] }];
const after = binaries[0]!.name;
if (values.before) binaries.unshift({ name: "before", bin: values.before, extra: [] });

function sh(cmd: string[], opts: { nice?: boolean; quiet?: boolean; env?: Record<string, string> } = {}): string {
  const full = opts.nice ? ["nice", ...cmd] : cmd;
  const env = { ...process.env, ...opts.env };
  const p = Bun.spawnSync(full, { stdout: "pipe", stderr: opts.quiet ? "pipe" : "inherit", env });
  if (p.exitCode !== 0) throw new Error(`${full.join(" ")} exited ${p.exitCode}: ${p.stderr?.toString() ?? ""}`);
  return p.stdout.toString();
}

// ---- 1. data and index -------------------------------------------------------------------------
const making = !existsSync(`${prefix}_disk.index`);
if (making && !existsSync(join(dataDir, "manifest.json"))) {
  console.log(`# making ${dataDir} (1M × 128 uint8, 2000 queries, exact gt)`);
  sh([values.after!, "dataset", "synthetic", dataDir, "--type", "uint8", "--n", "1000000", "--queries", "2000"], {
    nice: true,
  });
}
if (!existsSync(`${prefix}_disk.index`)) {
  console.log(`# building ${prefix} (R 64, L 100, PQ 32 B)`);
  sh(
    [
      values.after!,
      "build",
      "--data",
      join(dataDir, "base.u8bin"),
      "--out",
      prefix,
      "--R",
      "64",
      "--L",
      "100",
      "--pq-bytes",
      "32",
    ],
    { nice: true },
  );
}
const readme = join(dataDir, "README.txt");
if (making && !existsSync(readme)) {
  writeFileSync(
    readme,
    [
      "SIFT-like synthetic set for ringann issue 9 (bench/search-1m.ts): 1,000,000 base + 2,000 query vectors,",
      "128-d uint8 (a 16-cluster Gaussian mixture in a 16-d subspace, projected and quantised to 0..255), l2,",
      "exact ground truth k=100. Made with:",
      "  ringann dataset synthetic DIR --type uint8 --n 1000000 --queries 2000",
      "  ringann build --data DIR/base.u8bin --out DIR/idx/sift1m_R64_L100 --R 64 --L 100 --pq-bytes 32 --threads 2",
      "",
    ].join("\n"),
  );
}

const load = (): string => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`# ${new Date().toISOString()}  load average ${load()}  index ${values.index}`);

// ---- 2. fio ------------------------------------------------------------------------------------
function fio(depth: number): number {
  const out = sh(
    [
      "fio",
      "--name=rr",
      `--filename=${prefix}_disk.index`,
      "--readonly",
      "--direct=1",
      "--rw=randread",
      "--bs=4k",
      `--iodepth=${depth}`,
      "--ioengine=io_uring",
      `--runtime=${values["fio-seconds"]}`,
      "--time_based",
      "--output-format=json",
    ],
    { quiet: true },
  );
  return JSON.parse(out.slice(out.indexOf("{"))).jobs[0].read.iops as number;
}
const fioIops = { 1: fio(1), 8: fio(8) };
const fio8: number[] = [fioIops[8]];
console.log(
  `fio randread 4 KiB O_DIRECT io_uring: depth 1 ${fioIops[1].toFixed(0)} IOPS, depth 8 ${fioIops[8].toFixed(0)} IOPS`,
);

// ---- 3. timed rounds ---------------------------------------------------------------------------
interface Row {
  mode: string;
  L: number;
  width: number;
  recall: number;
  mean_us: number;
  p50_us: number;
  p99_us: number;
  reads: number;
  occupancy: number;
  calls_per_read?: number;
  qps: number;
}
const rounds = Number(values.rounds);
const results = new Map<string, Row[][]>(); // binary → rounds of rows
let submitInfo = "";
function search(
  b: Binary,
  extra: string[],
  modes = "beam,pipe",
): { rows: Row[]; submit?: { policy: string; submit_us: number | null; device_us: number | null } } {
  const args = [
    b.bin,
    "search",
    "--index",
    prefix,
    "--queries",
    queryFile,
    "--gt",
    gtFile,
    "--mode",
    modes,
    "--width",
    widths,
    "--L",
    values.L!,
    "--json",
    "--quiet",
    ...extra,
    ...b.extra,
  ];
  const out = sh(args, { env: b.env });
  const res = JSON.parse(out.slice(out.indexOf("{")));
  // Builds that count their own io_uring_enter calls report io_calls per query.
  for (const row of res.rows as (Row & { io_calls?: number })[])
    if (row.calls_per_read === undefined && row.io_calls !== undefined) row.calls_per_read = row.io_calls / row.reads;
  return res;
}
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? binaries : [...binaries].reverse();
  const modes = r % 2 === 0 ? "beam,pipe" : "pipe,beam";
  if (r > 0) fio8.push(fio(8));
  for (const b of order) {
    const t0 = performance.now();
    const res = search(b, ["--queries-limit", values["queries-limit"]!, "--warmup", values.warmup!], modes);
    if (res.submit)
      submitInfo += `\n${b.name} round ${r + 1}: submit ${res.submit.policy} (one submission ${res.submit.submit_us?.toFixed(1)} µs, a read ${res.submit.device_us?.toFixed(0)} µs)`;
    if (!results.has(b.name)) results.set(b.name, []);
    results.get(b.name)!.push(res.rows);
    console.log(
      `# round ${r + 1} ${b.name}: ${((performance.now() - t0) / 1000).toFixed(0)} s, load ${load()} ` +
        JSON.stringify(
          res.rows.map((x) => [
            x.mode,
            x.width,
            x.L,
            +x.recall.toFixed(4),
            Math.round(x.mean_us),
            Math.round(x.p50_us),
          ]),
        ),
    );
  }
}
if (submitInfo) console.log(submitInfo.trim());

// ---- 4. system calls per read, counted by perf -------------------------------------------------
const perfCalls = new Map<string, number>(); // `${binary} ${mode} ${W}` → calls per read
const cpuPerRead = new Map<string, number>(); // same key → process CPU µs (user + system) per read
for (const b of binaries) {
  for (const mode of ["beam", "pipe"]) {
    for (const w of widths.split(",")) {
      const args = [
        "perf",
        "stat",
        "-x,",
        "-e",
        "syscalls:sys_enter_io_uring_enter",
        b.bin,
        "search",
        "--index",
        prefix,
        "--queries",
        queryFile,
        "--gt",
        gtFile,
        "--mode",
        mode,
        "--width",
        w,
        "--L",
        values.L!,
        "--json",
        "--quiet",
        "--warmup",
        "0",
        "--queries-limit",
        values["perf-queries"]!,
      ];
      args.push(...b.extra);
      const p = Bun.spawnSync(args, { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...b.env } });
      if (p.exitCode !== 0) throw new Error(`perf run failed: ${p.stderr.toString()}`);
      const out = p.stdout.toString();
      const rows = JSON.parse(out.slice(out.indexOf("{"))).rows as Row[];
      const calls = Number(
        p.stderr
          .toString()
          .split("\n")
          .find((l) => l.includes("io_uring_enter"))!
          .split(",")[0],
      );
      const reads = rows.reduce((s, row) => s + row.reads * Number(values["perf-queries"]), 0);
      perfCalls.set(`${b.name} ${mode} ${w}`, calls / reads);
      const cpu = p.resourceUsage!.cpuTime;
      cpuPerRead.set(`${b.name} ${mode} ${w}`, Number(cpu.user + cpu.system) / reads);
    }
  }
}

// ---- report ------------------------------------------------------------------------------------
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
function avg(name: string, mode: string, w: number, L: number): Row {
  const rs = results.get(name)!.map((rows) => rows.find((x) => x.mode === mode && x.width === w && x.L === L)!);
  const pick = (f: (x: Row) => number): number => mean(rs.map(f));
  const cpr = rs.every((x) => x.calls_per_read !== undefined) ? pick((x) => x.calls_per_read!) : undefined;
  return {
    mode,
    L,
    width: w,
    recall: pick((x) => x.recall),
    mean_us: pick((x) => x.mean_us),
    p50_us: pick((x) => x.p50_us),
    p99_us: pick((x) => x.p99_us),
    reads: pick((x) => x.reads),
    occupancy: pick((x) => x.occupancy),
    calls_per_read: cpr,
    qps: pick((x) => x.qps),
  };
}
const W = widths.split(",").map(Number);
console.log(
  "\nbinary  mode   W    L  recall@10  mean_us  p50_us  p99_us   reads  occup  calls/read(own)  calls/read(perf, all L)  " +
    "cpu_us/read(all L)",
);
for (const b of binaries) {
  for (const mode of ["beam", "pipe"]) {
    for (const w of W) {
      for (const L of Ls) {
        const x = avg(b.name, mode, w, L);
        const key = `${b.name} ${mode} ${w}`;
        console.log(
          `${b.name.padEnd(6)}  ${mode}  ${String(w).padStart(2)}  ${String(L).padStart(3)}  ${x.recall.toFixed(4).padStart(9)}  ` +
            `${x.mean_us.toFixed(0).padStart(7)}  ${x.p50_us.toFixed(0).padStart(6)}  ${x.p99_us.toFixed(0).padStart(6)}  ${x.reads.toFixed(1).padStart(6)}  ${x.occupancy.toFixed(3)}  ` +
            `${(x.calls_per_read === undefined ? "-" : x.calls_per_read.toFixed(2)).padStart(15)}  ${perfCalls.get(key)!.toFixed(2).padStart(23)}  ${cpuPerRead.get(key)!.toFixed(1).padStart(18)}`,
        );
      }
    }
  }
}

/** Pipe's mean latency at beam's recall, linear along pipe's (recall, latency) curve over L. */
function pipeAtRecall(name: string, w: number, recall: number): { us: number; note: string } {
  const pts = Ls.map((L) => avg(name, "pipe", w, L)).sort((a, b) => a.recall - b.recall);
  if (recall <= pts[0]!.recall)
    return { us: pts[0]!.mean_us, note: `pipe L=${pts[0]!.L} already at ${pts[0]!.recall.toFixed(3)}` };
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    if (recall <= b.recall) {
      const t = b.recall > a.recall ? (recall - a.recall) / (b.recall - a.recall) : 1;
      return { us: a.mean_us + t * (b.mean_us - a.mean_us), note: `between pipe L=${a.L} and L=${b.L}` };
    }
  }
  const last = pts[pts.length - 1]!;
  return { us: last.mean_us, note: `beyond pipe's best recall ${last.recall.toFixed(4)} (pipe L=${last.L})` };
}

console.log(`\nTargets (${after}):`);
for (const w of W) {
  for (const L of targetLs) {
    const b = avg(after, "beam", w, L);
    const p = avg(after, "pipe", w, L);
    const at = pipeAtRecall(after, w, b.recall);
    const ratio = at.us / b.mean_us;
    const goal = L <= 20 ? 0.7 : 0.85;
    let line =
      `W ${w} L ${String(L).padStart(3)}: pipe@beam-recall ÷ beam ${ratio.toFixed(3)} (≤ ${goal}: ${ratio <= goal ? "met" : "NOT met"}; ${at.note}); ` +
      `pipe occupancy ${p.occupancy.toFixed(3)} (≥ 0.9: ${p.occupancy >= 0.9 ? "met" : "NOT met"})`;
    if (values.before) {
      const old = avg("before", "beam", w, L);
      const d = b.mean_us / old.mean_us;
      line += `; beam ÷ before ${d.toFixed(3)} (≤ 0.8: ${d <= 0.8 ? "met" : "NOT met"})`;
    }
    console.log(line);
  }
}
if (W.includes(8) && Ls.includes(100)) {
  const p100 = avg(after, "pipe", 8, 100);
  const iops8 = mean(fio8);
  const floor = (p100.reads / iops8) * 1e6;
  console.log(
    `pipe W 8 L 100: mean ${p100.mean_us.toFixed(0)} µs vs reads ÷ fio IOPS(8) (mean of ${fio8.map((x) => x.toFixed(0)).join(", ")}) = ${floor.toFixed(0)} µs: ` +
      `${(p100.mean_us / floor).toFixed(2)}× (≤ 1.2: ${p100.mean_us <= 1.2 * floor ? "met" : "NOT met"})`,
  );
  const cpr = perfCalls.get(`${after} pipe 8`)!;
  console.log(
    `pipe W 8 io_uring_enter per read (perf, all of L ${values.L}): ${cpr.toFixed(2)}; own counter at L 100: ` +
      `${p100.calls_per_read?.toFixed(2) ?? "-"} (≤ 0.5)`,
  );
}
console.log(`# done ${new Date().toISOString()}  load average ${load()}`);
