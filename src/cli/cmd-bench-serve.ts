// `ringann bench serve --url U --rate R1,R2 --duration S`: open-loop load against a running
// `ringann serve` on this machine (src/serve/load-generator.ts), one row per rate.
import { UsageError } from "../errors.ts";
import { BinReader } from "../format/bin.ts";
import { type LoadResult, assertLoopback, runLoad } from "../serve/load-generator.ts";
import { type FlagSpec, flagBool, flagNumber, flagNumberList, flagString, parseArgs, renderHelp } from "./args.ts";
import { EXIT_OK } from "./command.ts";

export const FLAGS: Record<string, FlagSpec> = {
  url: { type: "string", help: "the server (loopback only)", default: "http://127.0.0.1:8080" },
  index: { type: "string", help: "index name (default: the server's first)" },
  rate: { type: "string", help: "arrival rates in requests per second, comma-separated (one run each)" },
  duration: { type: "string", help: "seconds per rate", default: "10" },
  warmup: { type: "string", help: "seconds of load at the first rate before measuring (not reported)", default: "2" },
  queries: { type: "string", help: "query vectors (.fbin/.u8bin/.i8bin); default: the server's dataset queries" },
  count: { type: "string", help: "distinct queries to cycle through", default: "1000" },
  body: { type: "string", help: "json or binary (application/octet-stream float32 rows)", default: "json" },
  k: { type: "string", help: "k per query", default: "10" },
  L: { type: "string", help: "search list size", default: "50" },
  mode: { type: "string", help: "beam or pipe", default: "pipe" },
  width: { type: "string", help: "reads in flight per query", default: "4" },
  token: { type: "string", help: "bearer token (also RINGANN_TOKEN)" },
  "max-outstanding": {
    type: "string",
    help: "requests in flight before new ones are dropped (client protection)",
    default: "4096",
  },
  client: {
    type: "string",
    help: "raw (keep-alive HTTP/1.1 sockets, little CPU per request) or fetch (Bun's fetch)",
    default: "raw",
  },
  json: { type: "boolean", help: "print {rows: [...]} instead of the table" },
};

export const BENCH_SERVE_USAGE =
  "ringann bench serve --url http://127.0.0.1:8080 --rate 500,1000,2000 --duration 10 [--index N] [--queries Q]";

export const BENCH_SERVE_HELP = renderHelp(
  BENCH_SERVE_USAGE,
  "Open-loop load: requests leave at a fixed rate whatever the server does, and each latency is measured\n" +
    "from the time its request was due, so server queueing shows (no coordinated omission). Per rate: achieved\n" +
    "QPS, p50/p99/p99.9 latency, errors by status, and the slowest /healthz seen meanwhile. Every answer is\n" +
    "checked (200 and a JSON body with results; a 200 that fails counts as bad-answer). Loopback only; every\n" +
    "run stops by itself.",
  FLAGS,
  [
    "ringann bench serve --url http://127.0.0.1:8080 --rate 200,400,800 --duration 10",
    "ringann bench serve --rate 1000 --duration 600 --queries data/fmnist/queries.u8bin --json",
  ],
);

async function getJson(url: string, token: string | null): Promise<Record<string, unknown>> {
  const res = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const j = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new UsageError(`GET ${url}: ${res.status} ${JSON.stringify(j.error ?? j)}`);
  return j;
}

export async function runBenchServe(argv: string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  const url = flagString(args, "url")!.replace(/\/$/, "");
  assertLoopback(url);
  const rates = flagNumberList(args, "rate", { min: 0.1 });
  if (rates === undefined) throw new UsageError("Missing --rate R1,R2,... (requests per second)");
  const durationS = flagNumber(args, "duration", { min: 0.1 })!;
  const warmupS = flagNumber(args, "warmup", { min: 0 })!;
  const count = flagNumber(args, "count", { integer: true, min: 1 })!;
  const body = flagString(args, "body");
  if (body !== "json" && body !== "binary") throw new UsageError(`--body must be json or binary, got '${body}'`);
  const mode = flagString(args, "mode");
  if (mode !== "beam" && mode !== "pipe") throw new UsageError(`--mode must be beam or pipe`);
  const k = flagNumber(args, "k", { integer: true, min: 1 })!;
  const L = flagNumber(args, "L", { integer: true, min: 1 })!;
  const width = flagNumber(args, "width", { integer: true, min: 1 })!;
  const token = flagString(args, "token") ?? process.env.RINGANN_TOKEN ?? null;
  const json = flagBool(args, "json");

  const listing = (await getJson(`${url}/v1/indexes`, token)).indexes as {
    name: string;
    dim: number;
    dataset: unknown;
  }[];
  const index = flagString(args, "index") ?? listing[0]?.name;
  const info = listing.find((ix) => ix.name === index);
  if (info === undefined)
    throw new UsageError(
      `--index: the server has no index '${index}' (it has ${listing.map((i) => i.name).join(", ")})`,
    );

  const vectors: Float32Array[] = [];
  const queriesFile = flagString(args, "queries");
  if (queriesFile !== undefined) {
    const r = BinReader.open(queriesFile);
    try {
      if (r.header.dim !== info.dim)
        throw new UsageError(`--queries has ${r.header.dim} dimensions, the index ${info.dim}`);
      const n = Math.min(count, r.header.npts);
      const rows = r.readRows(0, n);
      for (let i = 0; i < n; i++) vectors.push(Float32Array.from(rows.subarray(i * info.dim, (i + 1) * info.dim)));
    } finally {
      r.close();
    }
  } else {
    if (info.dataset === null)
      throw new UsageError(`--queries FILE is needed: index '${index}' is served without a dataset`);
    const n = Math.min(count, (info.dataset as { queries: number }).queries);
    for (let i = 0; i < n; i++) {
      const q = await getJson(`${url}/v1/indexes/${encodeURIComponent(index!)}/queries/${i}`, token);
      vectors.push(Float32Array.from(q.vector as number[]));
    }
  }
  const bodies = vectors.map((v) =>
    body === "json" ? JSON.stringify({ vector: Array.from(v), k, L, mode, width }) : new Uint8Array(v.buffer.slice(0)),
  );
  const search = body === "binary" ? `?k=${k}&L=${L}&mode=${mode}&width=${width}` : "";
  const contentType = body === "json" ? "application/json" : "application/octet-stream";
  const maxOutstanding = flagNumber(args, "max-outstanding", { integer: true, min: 1 })!;
  const client = flagString(args, "client");
  if (client !== "raw" && client !== "fetch") throw new UsageError(`--client must be raw or fetch, got '${client}'`);
  const base = { url, index: index!, bodies, contentType, search, token, maxOutstanding, client } as const;

  if (warmupS > 0) await runLoad({ ...base, rate: rates[0]!, durationS: warmupS });
  const rows: LoadResult[] = [];
  for (const rate of rates) {
    if (!json) process.stderr.write(`bench serve: ${rate} req/s for ${durationS} s ...\n`);
    rows.push(await runLoad({ ...base, rate, durationS }));
  }
  if (json) {
    console.log(JSON.stringify({ url, index, k, L, mode, width, rows }));
    return EXIT_OK;
  }
  const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : "-");
  console.log(
    `index ${index}, k=${k} L=${L} ${mode} W=${width}, ${durationS} s per rate, open loop (latency from due time)`,
  );
  console.log("rate/s   sent     ok   achieved/s   p50 ms   p99 ms  p99.9 ms   max ms  healthz max ms  errors");
  for (const r of rows) {
    const errs =
      Object.entries(r.errors)
        .map(([k2, v]) => `${k2}:${v}`)
        .join(" ") || "0";
    console.log(
      `${String(r.rate).padStart(6)} ${String(r.sent).padStart(6)} ${String(r.ok).padStart(6)} ${f(r.achievedQps).padStart(12)} ` +
        `${f(r.p50Ms, 2).padStart(8)} ${f(r.p99Ms, 2).padStart(8)} ${f(r.p999Ms, 2).padStart(9)} ${f(r.maxMs, 1).padStart(8)} ` +
        `${f(r.healthzMaxMs, 2).padStart(15)}  ${errs}`,
    );
  }
  return EXIT_OK;
}
