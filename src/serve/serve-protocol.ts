// Messages between `ringann serve`'s main thread and its serving Workers (one ring each).
import type { ServeConfig } from "./serve-config.ts";

export type ToServeWorker =
  | { type: "start"; config: ServeConfig; thread: number; port: number; metrics: SharedArrayBuffer; sliceMs?: number }
  | { type: "stop" };

export type FromServeWorker =
  | { type: "listening"; port: number }
  | { type: "stopped" }
  | { type: "error"; message: string };
