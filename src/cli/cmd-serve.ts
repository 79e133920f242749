// `ringann serve --index PREFIX [...]` or `ringann serve CONFIG.json`: HTTP/JSON search over one or
// several named indexes (src/serve). Runs until SIGTERM/SIGINT, then stops gracefully: no new
// connections, in-flight requests finish, rings drain, files close, exit 0.
import { basename } from "node:path";
import { UsageError } from "../errors.ts";
import {
  DEFAULT_DEFAULTS,
  DEFAULT_DISPATCH,
  DEFAULT_LIMITS,
  SERVE_DISPATCHES,
  type ServeDispatch,
  type ServeConfig,
  indexConfig,
  loadServeConfig,
} from "../serve/serve-config.ts";
import { startServe } from "../serve/serve.ts";
import { type FlagSpec, flagBool, flagNumber, flagString, parseArgs, renderHelp } from "./args.ts";
import { EXIT_OK, type Command } from "./command.ts";

const FLAGS: Record<string, FlagSpec> = {
  index: { type: "string", help: "index prefix (the path before _disk.index)" },
  name: { type: "string", help: "the index's name in URLs (default: the prefix's file name)" },
  dataset: { type: "string", help: "dataset folder with manifest.json: random queries, images, words on the page" },
  host: {
    type: "string",
    help: "address to listen on (0.0.0.0 exposes the server to the network)",
    default: "127.0.0.1",
  },
  port: { type: "string", help: "TCP port (0 picks a free port, printed at start)", default: "8080" },
  threads: { type: "string", help: "serving threads, each with its own io_uring ring", default: "1" },
  dispatch: {
    type: "string",
    help: "reuseport (every thread listens and searches) or handoff (one listener, T search Workers)",
    default: DEFAULT_DISPATCH,
  },
  token: { type: "string", help: "require 'Authorization: Bearer <token>' (also RINGANN_TOKEN); /healthz stays open" },
  cors: { type: "string", help: "comma-separated origins allowed by CORS, or * (default: no CORS)" },
  metric: { type: "string", help: "metric for indexes without a sidecar (l2 | ip | cosine)" },
  type: { type: "string", help: "vector type for indexes without a sidecar (float32 | uint8 | int8)" },
  "cache-nodes": { type: "string", help: "nodes kept in memory per thread (BFS from the medoid)", default: "0" },
  concurrency: { type: "string", help: "queries interleaved on each thread's ring", default: "8" },
  "max-queued": { type: "string", help: "queries waiting per thread before 429 Too Many Requests", default: "512" },
  k: { type: "string", help: "default k", default: String(DEFAULT_DEFAULTS.k) },
  L: { type: "string", help: "default search list size", default: String(DEFAULT_DEFAULTS.L) },
  mode: { type: "string", help: "default mode (beam | pipe)", default: DEFAULT_DEFAULTS.mode },
  width: { type: "string", help: "default width (reads in flight)", default: String(DEFAULT_DEFAULTS.width) },
  "max-L": { type: "string", help: "largest L a request may ask", default: String(DEFAULT_LIMITS.maxL) },
  "max-k": { type: "string", help: "largest k a request may ask", default: String(DEFAULT_LIMITS.maxK) },
  "max-batch": { type: "string", help: "most vectors in one request", default: String(DEFAULT_LIMITS.maxBatch) },
  "deadline-ms": {
    type: "string",
    help: "longest a query may take, queued or running (504 after)",
    default: String(DEFAULT_LIMITS.deadlineMs),
  },
  "max-body-bytes": { type: "string", help: "largest request body (413 above)", default: String(8 << 20) },
  "slice-ms": {
    type: "string",
    help: "longest run of search work before a thread yields to its event loop",
    default: "1",
  },
  quiet: { type: "boolean", help: "print only the listening line" },
};

const USAGE =
  "ringann serve --index PREFIX [--name N] [--dataset DIR] [--port 8080] [--host 127.0.0.1] [--threads T]\n       ringann serve CONFIG.json [--port P] [--threads T] [--token T]";

export const command: Command = {
  name: "serve",
  summary: "serve indexes over HTTP/JSON (search, metrics, a search page at /)",
  help: renderHelp(
    USAGE,
    "Serves k-nearest-neighbour search over HTTP on 127.0.0.1 (unless --host says otherwise):\n" +
      '  POST /v1/indexes/NAME/search   {"vector": [...], "k": 10, "L": 50, "mode": "pipe", "width": 4}\n' +
      '                                 or {"vectors": [[...], ...]}, or an application/octet-stream body of\n' +
      "                                 little-endian float32 rows (k, L, mode, width as ?k=10&L=50)\n" +
      "  GET  /v1/indexes               what each index holds, its defaults and limits\n" +
      "  GET  /healthz                  liveness (never needs the token)\n" +
      "  GET  /metrics                  Prometheus text: requests by status, latency histogram, reads, occupancy, queue\n" +
      "  GET  /                         the search page (random dataset query, pasted vector, GloVe words)\n" +
      'Bad requests get {"error": {"code", "message", "path"}} with 400/401/404/413/429/504.\n' +
      "Each of the --threads threads has its own io_uring ring. --dispatch handoff (the default): the main\n" +
      "thread listens and parses, and hands k-NN queries to the T search threads through shared memory, so\n" +
      "no ring waits while HTTP work runs; --dispatch reuseport: every thread listens on the port\n" +
      "(SO_REUSEPORT) and searches on its own ring. Up to --concurrency queries run interleaved per ring, then\n" +
      "up to --max-queued wait per thread. SIGTERM/SIGINT stop gracefully.\n" +
      'A CONFIG.json serves several named indexes: {"port": 8080, "threads": 2, "dispatch": "handoff", "indexes": [{"name": "fmnist",\n' +
      '"index": "idx/fmnist", "dataset": "data/fmnist", "concurrency": 8, "defaults": {"L": 50}, "limits": {"max_L": 200}}]}.',
    FLAGS,
    [
      "ringann serve --index idx/fmnist --dataset data/fmnist --threads 2",
      'curl -s localhost:8080/v1/indexes/fmnist/search -d \'{"vector": [0, 0, ...784 values], "k": 5}\'',
      "RINGANN_TOKEN=s3cret ringann serve serve.json --port 9000",
    ],
  ),
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    const num = (name: string, min: number, max = Number.MAX_SAFE_INTEGER): number =>
      flagNumber(args, name, { integer: true, min, max })!;
    const seen = (name: string): boolean => argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    const dispatchFlag = (): ServeDispatch => {
      const d = flagString(args, "dispatch")!;
      if (!(SERVE_DISPATCHES as readonly string[]).includes(d))
        throw new UsageError(`--dispatch must be ${SERVE_DISPATCHES.join(" or ")}, got '${d}'`);
      return d as ServeDispatch;
    };
    let config: ServeConfig;
    if (args.positionals.length > 1) throw new UsageError("Expected at most one CONFIG.json");
    if (args.positionals.length === 1) {
      if (flagString(args, "index") !== undefined)
        throw new UsageError("Give either --index PREFIX or CONFIG.json, not both");
      const perIndex = [
        "name",
        "dataset",
        "metric",
        "type",
        "cache-nodes",
        "concurrency",
        "max-queued",
        "k",
        "L",
        "mode",
        "width",
        "max-L",
        "max-k",
        "max-batch",
        "deadline-ms",
      ].filter(seen);
      if (perIndex.length > 0) {
        throw new UsageError(
          `--${perIndex[0]} describes one index: with a CONFIG.json set it in the config's "indexes" entries`,
        );
      }
      config = loadServeConfig(args.positionals[0]!);
      if (seen("host")) config.host = flagString(args, "host")!;
      if (seen("port")) config.port = num("port", 0, 65535);
      if (seen("threads")) config.threads = num("threads", 1, 256);
      if (seen("dispatch")) config.dispatch = dispatchFlag();
      if (seen("cors"))
        config.corsOrigins = flagString(args, "cors")!
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
    } else {
      const prefix = flagString(args, "index");
      if (prefix === undefined) throw new UsageError("Missing --index PREFIX (or give a CONFIG.json)");
      const mode = flagString(args, "mode")!;
      if (mode !== "beam" && mode !== "pipe") throw new UsageError(`--mode must be beam or pipe, got '${mode}'`);
      const metric = flagString(args, "metric");
      if (metric !== undefined && !["l2", "ip", "cosine"].includes(metric))
        throw new UsageError(`--metric must be l2, ip or cosine`);
      const type = flagString(args, "type");
      if (type !== undefined && !["float32", "uint8", "int8"].includes(type))
        throw new UsageError(`--type must be float32, uint8 or int8`);
      const ix = indexConfig(
        {
          name: flagString(args, "name") ?? basename(prefix),
          index: prefix,
          dataset: flagString(args, "dataset"),
          ...(metric ? { metric: metric as "l2" } : {}),
          ...(type ? { type: type as "float32" } : {}),
          cache_nodes: num("cache-nodes", 0),
          concurrency: num("concurrency", 1, 256),
          max_queued: num("max-queued", 0),
          defaults: { k: num("k", 1), L: num("L", 1), mode, width: num("width", 1, 64) },
          limits: {
            max_k: num("max-k", 1),
            max_L: num("max-L", 1),
            max_batch: num("max-batch", 1),
            deadline_ms: num("deadline-ms", 1),
          },
        },
        process.cwd(),
      );
      if (!/^[A-Za-z0-9_.-]+$/.test(ix.name))
        throw new UsageError(`--name must be letters, digits, '_', '.', '-', got '${ix.name}'`);
      if (ix.defaults.L > ix.limits.maxL)
        throw new UsageError(`--L ${ix.defaults.L} is above --max-L ${ix.limits.maxL}`);
      if (ix.defaults.k > ix.limits.maxK)
        throw new UsageError(`--k ${ix.defaults.k} is above --max-k ${ix.limits.maxK}`);
      config = {
        host: flagString(args, "host")!,
        port: num("port", 0, 65535),
        threads: num("threads", 1, 256),
        dispatch: dispatchFlag(),
        token: null,
        corsOrigins: (flagString(args, "cors") ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
        maxBodyBytes: num("max-body-bytes", 1024),
        indexes: [ix],
      };
    }
    if (seen("max-body-bytes") && args.positionals.length === 1) config.maxBodyBytes = num("max-body-bytes", 1024);
    const token = flagString(args, "token") ?? process.env.RINGANN_TOKEN;
    config.token = token === undefined || token === "" ? null : token;
    const quiet = flagBool(args, "quiet");
    const sliceMs = flagNumber(args, "slice-ms", { min: 0.05, max: 1000 })!;

    const handle = await startServe(config, { sliceMs });
    console.log(`listening ${handle.url}`);
    if (!quiet) {
      const names = config.indexes.map((ix) => ix.name).join(", ");
      process.stderr.write(
        `ringann serve: ${names} on ${handle.url} — ${config.threads} thread(s), auth ${config.token ? "on" : "off"}` +
          `${config.corsOrigins.length ? `, CORS ${config.corsOrigins.join(" ")}` : ""}; page at ${handle.url}/ ; Ctrl-C stops\n`,
      );
    }
    await new Promise<void>((resolve) => {
      let stopping = false;
      const onSignal = (sig: string): void => {
        if (stopping) {
          process.stderr.write(`ringann serve: ${sig} again, exiting now\n`);
          process.exit(130);
        }
        stopping = true;
        if (!quiet) process.stderr.write(`ringann serve: ${sig}: finishing in-flight requests\n`);
        handle.stop().then(resolve, (err: unknown) => {
          process.stderr.write(`ringann serve: stopping failed: ${(err as Error).message}\n`);
          resolve();
        });
      };
      process.on("SIGTERM", () => onSignal("SIGTERM"));
      process.on("SIGINT", () => onSignal("SIGINT"));
    });
    if (!quiet) process.stderr.write("ringann serve: stopped\n");
    return EXIT_OK;
  },
};
