// A search Worker: `init` builds its engine (own ring and scratch, shared index parts), each `run`
// searches chunks of queries until the shared counter runs out, `close` drains and closes the ring.
// Errors go back to the main thread with their class name and code.
import { RingannError } from "../../errors.ts";
import { epochMs, type FromWorker, type ToWorker } from "./pool-protocol.ts";
import { threadCpu } from "./thread-cpu.ts";
import { WorkerEngine } from "./worker-engine.ts";

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}

const scope = globalThis as unknown as WorkerScope;
let engine: WorkerEngine | null = null;
let worker = -1;

function handle(msg: ToWorker): void {
  switch (msg.type) {
    case "init":
      worker = msg.worker;
      engine = new WorkerEngine(msg);
      scope.postMessage({ type: "ready", worker, backend: engine.reader.backend });
      return;
    case "run": {
      if (engine === null) throw new RingannError("E_INVARIANT", "search worker: run before init");
      const cpu0 = threadCpu();
      const startMs = epochMs();
      const { queries, comboMs } = engine.run(msg);
      const endMs = epochMs();
      const cpu1 = threadCpu();
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
