// Server CPU per query, variants side by side: each variant is a `ringann serve` (2 threads by
// default) under `ringann bench serve` at one fixed rate; after a warm-up, the server's CPU time (user
// and system, per thread name from /proc/PID/task/*/stat) and the load client's CPU are divided by the
// queries answered meanwhile (/metrics). Variants alternate round by round. CPU time is far less
// sensitive to neighbours than latency, but contention still inflates it: compare within one run.
// A variant is `BINARY[@CLIENT_BINARY]`, optionally preceded by NAME=VALUE environment settings:
//   node_modules/.bin/bun bench/serve-cpu.ts --index $DATA/idx/fmnist_R64_L100 --dataset $DATA/fmnist \
//     --variants "old/ringann@old/ringann,dist/ringann,MIMALLOC_PURGE_DELAY=100 dist/ringann" --rate 800
//     [--duration 8] [--warmup 4] [--rounds 2] [--threads 2] [--body json|binary]
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    index: { type: "string" },
    dataset: { type: "string" },
    variants: { type: "string", default: "dist/ringann" },
    rate: { type: "string", default: "800" },
    duration: { type: "string", default: "8" },
    warmup: { type: "string", default: "4" },
    rounds: { type: "string", default: "2" },
    threads: { type: "string", default: "2" },
    body: { type: "string", default: "json" },
    port: { type: "string", default: "18491" },
  },
});
if (!values.index || !values.dataset) {
  console.error("usage: bun bench/serve-cpu.ts --index PREFIX --dataset DIR [--variants A,B] [--rate 800]");
  process.exit(2);
}
const url = `http://127.0.0.1:${values.port}`;
const load = (): string => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

interface Ticks {
  byThread: Map<string, number>;
  total: number;
  sys: number;
}

/** utime + stime per thread (clock ticks, 100 Hz), keyed by name#tid. */
function ticksOf(pid: number): Ticks {
  const byThread = new Map<string, number>();
  let total = 0;
  let sys = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = s.slice(s.indexOf("(") + 1, s.lastIndexOf(")"));
      const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
      const t = Number(f[11]) + Number(f[12]);
      byThread.set(`${name}#${tid}`, t);
      total += t;
      sys += Number(f[12]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return { byThread, total, sys };
}

const answered = async (): Promise<number> =>
  Number(/ringann_queries_total (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);

function parseVariant(spec: string): { env: Record<string, string>; server: string; client: string } {
  const words = spec.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words.length > 1 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) {
    const [k, ...v] = words.shift()!.split("=");
    env[k!] = v.join("=");
  }
  const [server, client] = words.join(" ").split("@") as [string, string | undefined];
  return { env, server: resolve(server), client: resolve(client ?? server) };
}

console.log(
  `server CPU per query at ${values.rate} req/s, ${values.threads} threads, ${values.body} bodies; ` +
    `${values.duration} s measured after ${values.warmup} s (µs per answered query)`,
);
for (let r = 0; r < Number(values.rounds); r++) {
  for (const spec of values.variants!.split(",")) {
    const v = parseVariant(spec);
    const server = Bun.spawn(
      [
        v.server,
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
        values.threads!,
        "--quiet",
      ],
      { stdout: "pipe", stderr: "inherit", env: { ...process.env, ...v.env } },
    );
    await server.stdout.getReader().read(); // "listening ..."
    const client = (seconds: string) =>
      Bun.spawnSync([
        v.client,
        "bench",
        "serve",
        "--url",
        url,
        "--rate",
        values.rate!,
        "--duration",
        seconds,
        "--warmup",
        "0",
        "--json",
        "--body",
        values.body!,
        "--queries",
        resolve(values.dataset!, "queries.u8bin"),
      ]);
    client(values.warmup!);
    const t0 = ticksOf(server.pid);
    const q0 = await answered();
    const p = client(values.duration!);
    const t1 = ticksOf(server.pid);
    const n = (await answered()) - q0;
    server.kill("SIGTERM");
    await server.exited;
    const row = JSON.parse(p.stdout.toString()).rows[0];
    const us = (ticks: number): string => ((ticks * 10_000) / n).toFixed(0);
    const byName = new Map<string, number>();
    for (const [k, t] of t1.byThread) {
      const name = k.replace(/#\d+$/, "");
      byName.set(name, (byName.get(name) ?? 0) + t - (t0.byThread.get(k) ?? 0));
    }
    const threads = [...byName]
      .filter(([, t]) => (t * 10_000) / n >= 5)
      .map(([k, t]) => `${k} ${us(t)}`)
      .join(", ");
    const cc = p.resourceUsage.cpuTime;
    console.log(
      `round ${r + 1} ${spec.trim()}: server ${us(t1.total - t0.total)} (system ${us(t1.sys - t0.sys)}), ` +
        `client ${((Number(cc.user) + Number(cc.system)) / n).toFixed(0)} (system ${(Number(cc.system) / n).toFixed(0)}); ` +
        `${n} answered, ${row.achievedQps.toFixed(0)}/s, p50 ${row.p50Ms.toFixed(2)} ms, p99 ${row.p99Ms.toFixed(2)} ms, ` +
        `errors ${JSON.stringify(row.errors)}; threads: ${threads}; load ${load()}`,
    );
  }
}
