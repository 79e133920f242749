// A ground-truth worker: owns the top-k of one contiguous range of queries and scans every base
// chunk the main thread hands it (in increasing id order, which is what makes ties go to the lower
// id). Chunks and queries live in SharedArrayBuffers, so nothing is copied per chunk; progress is a
// per-worker slot in a shared Float64Array the main thread polls.
import { invariant } from "../errors.ts";
import { newTopK, scanForRows, type GtRows, type KernelName, type ScanFn, type TopK } from "./gt-kernels.ts";

export type ToGtWorker =
  | {
      kind: "init";
      kernel: KernelName;
      queries: GtRows;
      qStart: number;
      qEnd: number;
      k: number;
      dim: number;
      tileRows: number;
      sliceRows: number;
      progress: Float64Array;
      progressSlot: number;
      outIds: Uint32Array;
      outDists: Float32Array;
    }
  | { kind: "chunk"; chunk: GtRows; rows: number; baseId0: number }
  | { kind: "finish" };

export type FromGtWorker = { kind: "ok" } | { kind: "error"; message: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToGtWorker>) => void) | null;
  postMessage(message: FromGtWorker): void;
}

interface State {
  init: Extract<ToGtWorker, { kind: "init" }>;
  top: TopK;
  scan: ScanFn<GtRows>;
}

let state: State | null = null;

function handle(msg: ToGtWorker): void {
  switch (msg.kind) {
    case "init": {
      const scan = scanForRows(msg.kernel);
      state = { init: msg, top: newTopK(msg.qEnd - msg.qStart, msg.k), scan };
      return;
    }
    case "chunk": {
      invariant(state !== null, "gt worker: chunk before init");
      const { queries, qStart, qEnd, dim, tileRows, sliceRows, progress, progressSlot } = state.init;
      // Slices keep progress fine-grained; each slice is a view, allocated once per slice, not per distance.
      for (let r0 = 0; r0 < msg.rows; r0 += sliceRows) {
        const rows = Math.min(sliceRows, msg.rows - r0);
        const slice = msg.chunk.subarray(r0 * dim, (r0 + rows) * dim);
        progress[progressSlot] =
          progress[progressSlot]! +
          state.scan(queries, qStart, qEnd, slice, rows, msg.baseId0 + r0, dim, state.top, tileRows);
      }
      return;
    }
    case "finish": {
      invariant(state !== null, "gt worker: finish before init");
      const { qStart, k, outIds, outDists } = state.init;
      const { ids, dists } = state.top;
      for (let i = 0; i < ids.length; i++) {
        outIds[qStart * k + i] = ids[i]!;
        outDists[qStart * k + i] = dists[i]!;
      }
      state = null;
      return;
    }
  }
}

const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (event) => {
  try {
    handle(event.data);
    scope.postMessage({ kind: "ok" });
  } catch (err) {
    scope.postMessage({
      kind: "error",
      message: err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err),
    });
  }
};
