// Messages between the build orchestrator and build-worker.ts. Everything large is a
// SharedArrayBuffer, so posting a message copies only these small records.
import type { Metric, VectorType } from "../format/vector-type.ts";
import type { SharedGraphBuffers } from "./shared-graph.ts";
import type { VamanaParams } from "./vamana.ts";
import type { PassKind } from "./vamana-pass.ts";

/** The build's shared data as a Worker receives it: the vectors and the graph. */
export interface SharedBuildData {
  readonly vectors: SharedArrayBuffer;
  readonly vectorsByteOffset: number;
  readonly type: VectorType;
  readonly npts: number;
  readonly dim: number;
  readonly metric: Metric;
  readonly graph: SharedGraphBuffers;
}

export interface WorkerInit extends SharedBuildData {
  readonly kind: "init";
  readonly params: VamanaParams;
  /** Uint32 insertion order (a seeded permutation). */
  readonly order: SharedArrayBuffer;
  /** Int32 counters: next chunk start, points done. */
  readonly counters: SharedArrayBuffer;
  readonly medoid: number;
  readonly useNative: boolean;
}

export interface WorkerPass {
  readonly kind: "pass";
  readonly pass: PassKind;
  readonly alpha: number;
}

export type WorkerRequest = WorkerInit | WorkerPass;

export type WorkerReply =
  | { readonly kind: "ready"; readonly kernel: string }
  | { readonly kind: "done"; readonly comparisons: number }
  | { readonly kind: "error"; readonly message: string };
