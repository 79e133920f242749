// Starts `ringann serve`: T rings per index, met by requests in one of two ways (config.dispatch):
//   reuseport  T = 1 serves on the main thread; T > 1 starts T Workers that listen on one port with
//              SO_REUSEPORT (the first binds — so port 0 resolves to one real port — then the others
//              join it); each thread does its own HTTP, parsing and search.
//   handoff    the main thread listens and parses; T search Workers run the k-NN queries, handed over
//              through shared memory (ring-pool.ts) — a ring is never kept waiting by HTTP work.
// docs/benchmarks.md (issue 11) measures both.
import { workerEntry } from "../runtime/worker-entry.ts";
import { WorkerMailbox } from "../runtime/worker-mailbox.ts";
import { ServeMetrics } from "./metrics.ts";
import type { FromServeWorker, ToServeWorker } from "./serve-protocol.ts";
import type { ServeConfig } from "./serve-config.ts";
import { loadSharedIndexFiles, ServedIndex } from "./served-index.ts";
import { startServer } from "./server.ts";

export interface ServeHandle {
  readonly url: string;
  readonly port: number;
  readonly metrics: ServeMetrics;
  /** Graceful: stop accepting, finish in-flight requests, drain the rings, close files; then resolves. */
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** Longest run of search work before a thread yields to its event loop (ms). */
  sliceMs?: number;
}

export async function startServe(config: ServeConfig, opts: ServeOptions = {}): Promise<ServeHandle> {
  const handoff = config.dispatch === "handoff";
  const metrics = new ServeMetrics(config.threads);
  if (config.threads === 1 || handoff) {
    // One listening thread; with handoff its k-NN queries run on `threads` search Workers.
    const indexes: ServedIndex[] = [];
    try {
      for (const ic of config.indexes)
        indexes.push(await ServedIndex.open(ic, opts.sliceMs, handoff ? config.threads : 0));
    } catch (err) {
      for (const ix of indexes) await ix.drainAndClose();
      throw err;
    }
    const s = startServer(indexes, metrics, {
      host: config.host,
      port: config.port,
      reusePort: false,
      token: config.token,
      corsOrigins: config.corsOrigins,
      maxBodyBytes: config.maxBodyBytes,
      thread: 0,
    });
    return { url: s.url, port: s.server.port ?? config.port, metrics, stop: () => s.stop() };
  }
  const workers: { worker: Worker; mailbox: WorkerMailbox<FromServeWorker> }[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(
      workers.map(async ({ worker, mailbox }) => {
        worker.postMessage({ type: "stop" } satisfies ToServeWorker);
        await mailbox.next();
        worker.terminate();
      }),
    );
  };
  let port = config.port;
  try {
    // Loaded and checked once here; the Workers share the PQ codes instead of reading a copy each.
    const files = config.indexes.map((ic) => loadSharedIndexFiles(ic));
    for (let t = 0; t < config.threads; t++) {
      const w = new Worker(workerEntry("serve/serve-worker.ts", import.meta.url));
      const mailbox = new WorkerMailbox<FromServeWorker>(w, (message) => ({ type: "error", message }));
      workers.push({ worker: w, mailbox });
      const start: ToServeWorker = {
        type: "start",
        config,
        files,
        thread: t,
        port,
        metrics: metrics.buffer,
        ...(opts.sliceMs !== undefined ? { sliceMs: opts.sliceMs } : {}),
      };
      w.postMessage(start);
      const m = await mailbox.next();
      if (m.type === "error") throw new Error(`serving thread ${t}: ${m.message}`);
      if (m.type === "listening") port = m.port;
    }
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return { url: `http://${host}:${port}`, port, metrics, stop: stopAll };
}
