// Issue 11's targets, side by side in one session: in-process `ringann run` (T threads, C queries per
// ring) against `ringann serve` (same T and C) under `ringann bench serve` open-loop load, round after
// round so a noisy shared machine hits both alike. The rates are multiples of the in-process QPS
// measured in the same round. Prints per round: in-process QPS/p99, then per rate the server's achieved
// QPS, p50/p99/p99.9, errors and slowest /healthz, with the ratios the targets name:
//   saturated server QPS ≥ 0.8 × in-process QPS; at 0.5 × that rate, server p99 ≤ 2 × in-process p99;
//   no failed request; /healthz < 20 ms while saturated.
// Run (after scripts/compile.sh):
//   node_modules/.bin/bun bench/serve-vs-inprocess.ts --index $DATA/idx/fmnist_R64_L100 --dataset $DATA/fmnist \
//     [--threads 2] [--concurrency 8] [--L 50] [--rates 0.5,0.8,1,1.25] [--duration 10] [--rounds 2] [--body binary] [--server-args="--slice-ms 2"]
//     [--server-warmup 10] [--binary dist/ringann]
// Several server variants side by side: --server-args="--dispatch reuseport;--dispatch handoff" (';'
// separates them). Each variant gets its own in-process run just before it (the disk's speed drifts
// within minutes), the variants' order rotates round by round, and a summary gives each variant's
// median ratios over the rounds.
// `ringann run` gets MIMALLOC_PURGE_DELAY=-1 (unless set), the allocator setting `ringann serve` starts
// itself with; the load client is the binary's own `bench serve` (keep-alive socket pool since
// 2026-12-01). Server CPU is read from /proc/PID/stat of the server (execve keeps the PID).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    "server-args": { type: "string" },
    index: { type: "string" },
    dataset: { type: "string" },
    threads: { type: "string", default: "2" },
    concurrency: { type: "string", default: "8" },
    L: { type: "string", default: "50" },
    rates: { type: "string", default: "0.5,0.8,1,1.25" },
    duration: { type: "string", default: "10" },
    rounds: { type: "string", default: "2" },
    port: { type: "string", default: "18480" },
    queries: { type: "string", default: "10000" },
    binary: { type: "string", default: "dist/ringann" },
    // json (the default) or binary (application/octet-stream float32 rows: no JSON to parse on either side).
    body: { type: "string", default: "json" },
    // Seconds of load at the first rate before measuring: a fresh server's JIT is still compiling for a while.
    "server-warmup": { type: "string", default: "2" },
  },
});
if (!values.index || !values.dataset) {
  console.error(
    "usage: bun bench/serve-vs-inprocess.ts --index PREFIX --dataset DIR [--threads 2] [--concurrency 8] [--rates 0.5,0.8,1,1.25]",
  );
  process.exit(2);
}
const bin = resolve(values.binary!);
const tmp = mkdtempSync(join(tmpdir(), "ringann-serve-bench-"));
const T = Number(values.threads);
const C = Number(values.concurrency);
const L = Number(values.L);
const url = `http://127.0.0.1:${values.port}`;
const load = (): string => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

function inProcess(): { qps: number; p50: number; p99: number; cpuUsPerQuery: number } {
  const config = {
    name: "inproc",
    output: join(tmp, "out"),
    jobs: [
      {
        type: "search",
        name: "inproc",
        index: resolve(values.index!),
        dataset: resolve(values.dataset!),
        k: 10,
        L,
        mode: "pipe",
        width: 4,
        threads: T,
        concurrency: C,
        max_queries: Number(values.queries),
        warmup_queries: 200,
      },
    ],
  };
  writeFileSync(join(tmp, "inproc.json"), JSON.stringify(config));
  // The same allocator settings as `ringann serve` gives itself (src/runtime/allocator-env.ts), so the
  // ratio compares serving work, not allocator options.
  const env = { ...process.env, MIMALLOC_PURGE_DELAY: process.env.MIMALLOC_PURGE_DELAY ?? "-1" };
  const p = Bun.spawnSync([bin, "run", join(tmp, "inproc.json"), "--quiet"], { env });
  if (p.exitCode !== 0) throw new Error(`ringann run failed: ${p.stderr.toString()}`);
  const row = JSON.parse(readFileSync(join(tmp, "out", "results.json"), "utf8")).rows[0];
  // Whole-process CPU (start-up, warm-up and all) over the queries it ran: an upper bound per query.
  const cpu = p.resourceUsage.cpuTime;
  const cpuUsPerQuery = (Number(cpu.user) + Number(cpu.system)) / (Number(values.queries) + 200);
  return { qps: row.qps, p50: row.p50_us / 1000, p99: row.p99_us / 1000, cpuUsPerQuery };
}

interface LoadRow {
  rate: number;
  ok: number;
  sent: number;
  errors: Record<string, number>;
  achievedQps: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  healthzMaxMs: number;
}

async function serverRun(
  rates: number[],
  serverArgs: string[],
): Promise<{
  rows: LoadRow[];
  rssStartMb: number;
  rssEndMb: number;
  exit: number;
  cpuUsPerQuery: number;
  clientCpuUsPerQuery: number;
}> {
  const server = Bun.spawn(
    [
      bin,
      "serve",
      "--index",
      resolve(values.index!),
      "--name",
      "fmnist",
      "--dataset",
      resolve(values.dataset!),
      "--port",
      values.port!,
      "--threads",
      String(T),
      "--concurrency",
      String(C),
      "--L",
      String(L),
      "--quiet",
      ...serverArgs,
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  const reader = server.stdout.getReader();
  await reader.read(); // "listening ..."
  const rss = (): number =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  const rssStartMb = rss();
  const ticks = (): number => {
    const f = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(f[11]) + Number(f[12]); // utime + stime, clock ticks (100 Hz)
  };
  const queries = async (): Promise<number> =>
    Number(/ringann_queries_total (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
  const t0 = ticks();
  const q0 = await queries();
  const p = Bun.spawnSync([
    bin,
    "bench",
    "serve",
    "--url",
    url,
    "--rate",
    rates.map((r) => r.toFixed(0)).join(","),
    "--duration",
    values.duration!,
    "--L",
    String(L),
    "--json",
    "--warmup",
    values["server-warmup"]!,
    "--body",
    values.body!,
  ]);
  if (p.exitCode !== 0) throw new Error(`bench serve failed: ${p.stderr.toString()}`);
  const rssEndMb = rss();
  const answered = (await queries()) - q0;
  const cpuUsPerQuery = ((ticks() - t0) * 10_000) / answered;
  const cc = p.resourceUsage.cpuTime;
  const clientCpuUsPerQuery = (Number(cc.user) + Number(cc.system)) / answered;
  server.kill("SIGTERM");
  const exit = await server.exited;
  return { rows: JSON.parse(p.stdout.toString()).rows, rssStartMb, rssEndMb, exit, cpuUsPerQuery, clientCpuUsPerQuery };
}

const multiples = values.rates!.split(",").map(Number);
const variants = (values["server-args"] ?? "").split(";").map((v) => v.trim());
console.log(
  `fmnist pipe W=${4} L=${L}, ${T} threads, concurrency ${C}; server rates as multiples of the in-process QPS measured just before`,
);
const med = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
};
const summary = variants.map(() => ({ saturated: [] as number[], halfP99: [] as number[], errors: 0 }));
for (let r = 0; r < Number(values.rounds); r++) {
  for (let i = 0; i < variants.length; i++) {
    const v = (i + r) % variants.length;
    const before = load();
    const ip = inProcess();
    const s = await serverRun(
      multiples.map((m) => m * ip.qps),
      variants[v]!.split(" ").filter(Boolean),
    );
    console.log(
      `\nround ${r + 1}${variants.length > 1 ? ` [${variants[v] || "defaults"}]` : ""} (load ${before} → ${load()}): in-process ${ip.qps.toFixed(0)} QPS, p50 ${ip.p50.toFixed(2)} ms, p99 ${ip.p99.toFixed(2)} ms; ` +
        `server RSS ${s.rssStartMb.toFixed(0)} → ${s.rssEndMb.toFixed(0)} MB, exit ${s.exit} after SIGTERM`,
    );
    console.log(
      `  CPU per query: in-process ${ip.cpuUsPerQuery.toFixed(0)} µs (whole run), server ${s.cpuUsPerQuery.toFixed(0)} µs, ` +
        `load client ${s.clientCpuUsPerQuery.toFixed(0)} µs`,
    );
    console.log(
      "  rate   ×inproc  achieved  ×inproc   p50 ms   p99 ms  p99.9 ms  p99/inproc p99  healthz max ms  errors",
    );
    let saturated = 0;
    for (const row of s.rows) {
      const errs =
        Object.entries(row.errors)
          .map(([k, v]) => `${k}:${v}`)
          .join(" ") || "0";
      for (const [k, n] of Object.entries(row.errors)) if (k !== "dropped") summary[v]!.errors += n as number;
      if (row.rate >= ip.qps * 0.99) saturated = Math.max(saturated, row.achievedQps / ip.qps);
      if (Math.abs(row.rate / ip.qps - 0.5) < 0.01) summary[v]!.halfP99.push(row.p99Ms / ip.p99);
      console.log(
        `${row.rate.toFixed(0).padStart(6)} ${(row.rate / ip.qps).toFixed(2).padStart(9)} ${row.achievedQps.toFixed(0).padStart(9)} ` +
          `${(row.achievedQps / ip.qps).toFixed(2).padStart(8)} ${row.p50Ms.toFixed(2).padStart(8)} ${row.p99Ms.toFixed(2).padStart(8)} ${row.p999Ms.toFixed(2).padStart(9)} ` +
          `${(row.p99Ms / ip.p99).toFixed(2).padStart(15)} ${row.healthzMaxMs.toFixed(1).padStart(15)}  ${errs}`,
      );
    }
    if (saturated > 0) summary[v]!.saturated.push(saturated);
  }
}
console.log("\nsummary over the rounds (saturated = best achieved ÷ in-process at rates ≥ 1×)");
for (let v = 0; v < variants.length; v++) {
  const x = summary[v]!;
  console.log(
    `  [${variants[v] || "defaults"}] saturated ÷ in-process: ${x.saturated.map((a) => a.toFixed(2)).join(" ")} (median ${med(x.saturated).toFixed(2)}); ` +
      `p99 at 0.5× ÷ in-process p99: ${x.halfP99.map((a) => a.toFixed(2)).join(" ")} (median ${med(x.halfP99).toFixed(2)}); failed requests ${x.errors}`,
  );
}
rmSync(tmp, { recursive: true, force: true });
