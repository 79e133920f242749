// Tail latency with threads (issue 15): p99 and p99.9 at 2 threads against 1 thread, and the QPS
// ratio, for builds of ringann side by side — e.g. a "before" binary and today's — over beam and
// pipe, two list sizes and two concurrencies. Every configuration runs as a real `ringann run`
// sweep with threads [1, 2] (one process: the 1-thread and 2-thread runs back to back), and the
// variants alternate configuration by configuration (their order flips every round), so each
// ratio is taken within one process and each before/after pair minutes apart at most.
// The load average is printed next to every figure: on a shared machine other processes make
// tails, and the rows' runq% / ivcs/q say how much.
//
//   node_modules/.bin/bun bench/tail-threads.ts --index $DATA/idx/fmnist_R64_L100 --dataset $DATA/fmnist \
//       --variants before=$BEFORE/dist/ringann,after=dist/ringann [--queries 3000] [--warmup 300] [--rounds 1] \
//       [--L 20,100] [--mode beam,pipe] [--concurrency 1,4] [--width 4]
// A variant is label=binary, optionally with +wait:block|spin|yield (the config's "wait") and
// +env:NAME=VALUE (an environment variable for that binary), e.g. yield=dist/ringann+wait:yield.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { flagString, parseArgs, requireString } from "../src/cli/args.ts";

const args = parseArgs(process.argv.slice(2), {
  index: { type: "string", help: "index prefix" },
  dataset: { type: "string", help: "dataset folder with manifest.json" },
  variants: { type: "string", help: "label=binary[+wait:W][+env:K=V],... (the first is the reference)" },
  queries: { type: "string", help: "queries per run", default: "3000" },
  warmup: { type: "string", help: "warm-up queries before each run", default: "300" },
  rounds: { type: "string", help: "rounds (each configuration once per variant per round)", default: "1" },
  L: { type: "string", help: "list sizes", default: "20,100" },
  mode: { type: "string", help: "search modes", default: "beam,pipe" },
  concurrency: { type: "string", help: "queries interleaved per Worker", default: "1,4" },
  width: { type: "string", help: "W", default: "4" },
  scratch: { type: "string", help: "folder for configs and results", default: join(tmpdir(), "ringann-bench-tail") },
});

interface Variant {
  readonly label: string;
  readonly binary: string;
  readonly wait: string | null;
  readonly env: Record<string, string>;
}

function parseVariant(text: string): Variant {
  const [head, ...mods] = text.split("+");
  const eq = head!.indexOf("=");
  if (eq <= 0) throw new Error(`--variants: expected label=binary, found "${text}"`);
  const v: Variant = { label: head!.slice(0, eq), binary: resolve(head!.slice(eq + 1)), wait: null, env: {} };
  let wait: string | null = null;
  for (const m of mods) {
    if (m.startsWith("wait:")) wait = m.slice(5);
    else if (m.startsWith("env:") && m.includes("=")) v.env[m.slice(4, m.indexOf("="))] = m.slice(m.indexOf("=") + 1);
    else throw new Error(`--variants: unknown modifier "${m}" in "${text}" (wait:W or env:K=V)`);
  }
  return { ...v, wait };
}

const variants = requireString(args, "variants").split(",").map(parseVariant);
const list = (name: string) => flagString(args, name)!.split(",");
const configs = list("mode").flatMap((mode) =>
  list("L")
    .map(Number)
    .flatMap((L) => list("concurrency").map((c) => ({ mode, L, c: Number(c) }))),
);
const rounds = Number(flagString(args, "rounds"));
const scratch = resolve(flagString(args, "scratch")!);
mkdirSync(scratch, { recursive: true });

interface Row {
  [field: string]: string;
}
type Key = string;
const results = new Map<Key, { t1: Row; t2: Row; load: number }[]>();
const key = (v: string, mode: string, L: number, c: number): Key => `${v}|${mode}|${L}|${c}`;

function readCsv(file: string): Row[] {
  const [header, ...lines] = readFileSync(file, "utf8").trim().split("\n");
  // Only the index path may hold commas, and it is not needed here: split plainly, map by name.
  const names = header!.split(",");
  return lines.map((line) => Object.fromEntries(line.split(",").map((cell, i) => [names[i] ?? `_${i}`, cell])));
}

function runOne(v: Variant, mode: string, L: number, c: number, round: number): void {
  const dir = join(scratch, `${v.label}-${mode}-${L}-${c}-${round}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const job: Record<string, unknown> = {
    type: "sweep",
    name: "tail",
    index: resolve(requireString(args, "index")),
    dataset: resolve(requireString(args, "dataset")),
    mode,
    L,
    width: Number(flagString(args, "width")),
    threads: [1, 2],
    concurrency: c,
    max_queries: Number(flagString(args, "queries")),
    warmup_queries: Number(flagString(args, "warmup")),
  };
  if (v.wait !== null) job.wait = v.wait;
  const config = join(dir, "config.json");
  writeFileSync(config, JSON.stringify({ name: "tail", jobs: [job] }));
  const load0 = loadavg()[0]!;
  const cmd = v.binary.endsWith(".ts") ? [process.execPath, v.binary] : [v.binary]; // a source tree's src/cli/main.ts
  const out = Bun.spawnSync([...cmd, "run", config, "--out", join(dir, "out"), "--no-charts", "--quiet"], {
    env: { ...process.env, ...v.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  if (out.exitCode !== 0)
    throw new Error(`${v.label} ${mode} L=${L} C=${c}: exit ${out.exitCode}\n${out.stderr.toString().slice(-2000)}`);
  const rows = readCsv(join(dir, "out", "results.csv"));
  const t1 = rows.find((r) => r.threads === "1")!;
  const t2 = rows.find((r) => r.threads === "2")!;
  const load = (load0 + loadavg()[0]!) / 2;
  const k = key(v.label, mode, L, c);
  results.set(k, [...(results.get(k) ?? []), { t1, t2, load }]);
  process.stderr.write(
    `round ${round + 1} ${v.label.padEnd(8)} ${mode} L=${L} C=${c}: p99 ${num(t1.p99_us).toFixed(0)} → ${num(t2.p99_us).toFixed(0)} µs ` +
      `(${(num(t2.p99_us) / num(t1.p99_us)).toFixed(2)}×), QPS ${(num(t2.qps) / num(t1.qps)).toFixed(2)}×, load ${load.toFixed(1)}\n`,
  );
}

const num = (s: string | undefined): number => (s === undefined || s === "" ? Number.NaN : Number(s));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (let round = 0; round < rounds; round++) {
  for (const [i, cfg] of configs.entries()) {
    const order = (round + i) % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) runOne(v, cfg.mode, cfg.L, cfg.c, round);
  }
}

const lines = [
  `${requireString(args, "index").split("/").pop()}, W ${flagString(args, "width")}, ${flagString(args, "queries")} queries per run ` +
    `(${flagString(args, "warmup")} warm-up), ${rounds} round${rounds === 1 ? "" : "s"} (medians), ${navigator.hardwareConcurrency} cores`,
  "",
  "| variant | mode | L | C | p99 µs 1 thr | p99 µs 2 thr | p99 ratio | p99.9 µs 1 thr | p99.9 µs 2 thr | p99.9 ratio | " +
    "QPS 1 thr | QPS 2 thr | QPS ratio | runq% 2 thr | ivcs/q 2 thr | JIT% 2 thr | load avg |",
  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
];
for (const cfg of configs) {
  for (const v of variants) {
    const rs = results.get(key(v.label, cfg.mode, cfg.L, cfg.c)) ?? [];
    if (rs.length === 0) continue;
    const med = (f: (r: { t1: Row; t2: Row; load: number }) => number) => median(rs.map(f));
    const cell = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : "—");
    lines.push(
      `| ${v.label} | ${cfg.mode} | ${cfg.L} | ${cfg.c} | ${cell(med((r) => num(r.t1.p99_us)))} | ${cell(med((r) => num(r.t2.p99_us)))} | ` +
        `**${cell(
          med((r) => num(r.t2.p99_us) / num(r.t1.p99_us)),
          2,
        )}** | ${cell(med((r) => num(r.t1.p999_us)))} | ${cell(med((r) => num(r.t2.p999_us)))} | ` +
        `${cell(
          med((r) => num(r.t2.p999_us) / num(r.t1.p999_us)),
          2,
        )} | ${cell(med((r) => num(r.t1.qps)))} | ${cell(med((r) => num(r.t2.qps)))} | ` +
        `${cell(
          med((r) => num(r.t2.qps) / num(r.t1.qps)),
          2,
        )} | ${cell(med((r) => 100 * num(r.t2.runq_util)))} | ` +
        `${cell(
          med((r) => num(r.t2.ivcs_per_query)),
          2,
        )} | ${cell(
          med((r) => 100 * num(r.t2.jit_cpu_util)),
          1,
        )} | ${cell(
          med((r) => r.load),
          1,
        )} |`,
    );
  }
}
lines.push("", "Targets: p99 ratio ≤ 1.5, p99.9 ratio ≤ 3, QPS at 2 threads no lower than the reference's.");
console.log(lines.join("\n"));
