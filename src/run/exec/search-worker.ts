// A search Worker: `init` builds its engine (own ring and scratch, shared index parts), each `run`
// searches chunks of queries until the shared counter runs out, `close` drains and closes the ring.
// Errors go back to the main thread with their class name and code.
import { writeSync } from "node:fs";
import { RingannError } from "../../errors.ts";
import { epochMs, type FromWorker, type ToWorker } from "./pool-protocol.ts";
import { threadCpu } from "./thread-cpu.ts";
import { pinCurrentThread } from "./os-thread.ts";
import { currentThreadId } from "./thread-stats.ts";
import { WorkerEngine } from "./worker-engine.ts";

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}

const scope = globalThis as unknown as WorkerScope;
let engine: WorkerEngine | null = null;
let worker = -1;

/**
 * RINGANN_TRACE_RUNS=1: write "@@ringann-run worker N searching|idle" to stderr around each run's
 * query loop (one write each, so it lands in order with JavaScriptCore's own log, e.g.
 * BUN_JSC_logGC=1): bench/worker-gc.ts counts the collections that overlap a query loop.
 */
const TRACE = process.env.RINGANN_TRACE_RUNS === "1";

/** How long a Worker that finished waits for the others before collecting anyway. */
const RUN_END_WAIT_MS = 5_000;

/**
 * A full collection while the main thread summarises a run, so the next run starts on a clean heap:
 * the runtime's idle GC timer then finds nothing to collect when the next message wakes this
 * thread, instead of starting a collection alongside the first queries (the query path itself
 * allocates nothing; bench/worker-gc.ts counts collections during runs).
 */
function collectNow(): void {
  Bun.gc(true);
}

function handle(msg: ToWorker): void {
  switch (msg.type) {
    case "init":
      worker = msg.worker;
      engine = new WorkerEngine(msg);
      collectNow();
      scope.postMessage({
        type: "ready",
        worker,
        backend: engine.reader.backend,
        submit: engine.submitPolicy,
        tid: currentThreadId(),
        pinned: msg.cpu !== null && pinCurrentThread(msg.cpu),
      });
      return;
    case "run": {
      if (engine === null) throw new RingannError("E_INVARIANT", "search worker: run before init");
      const cpu0 = threadCpu();
      const startMs = epochMs();
      if (TRACE) writeSync(2, `@@ringann-run worker ${worker} searching\n`);
      const { queries, comboMs } = engine.run(msg);
      if (TRACE) writeSync(2, `@@ringann-run worker ${worker} idle\n`);
      const endMs = epochMs();
      const cpu1 = threadCpu();
      // After the clock stops and every Worker is done, before the reply: the next run starts on a clean heap.
      engine.waitForRunEnd(RUN_END_WAIT_MS);
      collectNow();
      scope.postMessage({
        type: "done",
        worker,
        run: msg.run,
        startMs,
        endMs,
        cpuMs: cpu1.cpuMs - cpu0.cpuMs,
        runQueueMs: cpu1.runQueueMs - cpu0.runQueueMs,
        queries,
        comboMs,
      });
      return;
    }
    case "close":
      engine?.close();
      engine = null;
      scope.postMessage({ type: "closed", worker });
      return;
  }
}

scope.onmessage = (event) => {
  try {
    handle(event.data);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const code = err instanceof RingannError ? err.code : "E_WORKER";
    scope.postMessage({ type: "error", worker, name: e.name, code, message: e.message, stack: e.stack ?? "" });
  }
};
