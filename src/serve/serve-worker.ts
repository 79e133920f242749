// A serving thread: opens its own copy of every index (own ring, own query machines) and listens
// with SO_REUSEPORT on the shared port; the kernel spreads connections across the threads. Metrics
// go to the SharedArrayBuffer the main thread made.
import { ServeMetrics } from "./metrics.ts";
import type { FromServeWorker, ToServeWorker } from "./serve-protocol.ts";
import { ServedIndex } from "./served-index.ts";
import { type RunningServer, startServer } from "./server.ts";

declare const self: Worker;

let running: RunningServer | null = null;
const send = (m: FromServeWorker): void => self.postMessage(m);

self.onmessage = async (event: MessageEvent<ToServeWorker>) => {
  const msg = event.data;
  try {
    if (msg.type === "start") {
      const c = msg.config;
      const indexes: ServedIndex[] = [];
      for (let i = 0; i < c.indexes.length; i++)
        indexes.push(await ServedIndex.open(c.indexes[i]!, msg.sliceMs, 0, msg.files[i]));
      const metrics = new ServeMetrics(c.threads, msg.metrics);
      running = startServer(indexes, metrics, {
        host: c.host,
        port: msg.port,
        reusePort: true,
        token: c.token,
        corsOrigins: c.corsOrigins,
        maxBodyBytes: c.maxBodyBytes,
        thread: msg.thread,
      });
      send({ type: "listening", port: running.server.port ?? msg.port });
    } else if (msg.type === "stop") {
      if (running !== null) await running.stop();
      running = null;
      send({ type: "stopped" });
    }
  } catch (err) {
    send({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
