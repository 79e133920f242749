// Messages between `ringann serve`'s main thread and its serving Workers (one ring each).
import type { IndexFiles } from "../search/index-files.ts";
import type { ServeConfig } from "./serve-config.ts";

export type ToServeWorker =
  | {
      type: "start";
      config: ServeConfig;
      /** Per index, its parts with the PQ codes in shared memory (one copy for all threads). */
      files: IndexFiles[];
      thread: number;
      port: number;
      metrics: SharedArrayBuffer;
      sliceMs?: number;
    }
  | { type: "stop" };

export type FromServeWorker =
  | { type: "listening"; port: number }
  | { type: "stopped" }
  | { type: "error"; message: string };
