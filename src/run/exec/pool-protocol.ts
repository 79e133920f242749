// Messages between the main thread and the search Workers, and the shared result layout.
// Per query the Workers write, into shared memory: k ids and distances, and STAT_COUNT statistics.
// Queries are handed out through an atomic counter in chunks, so a fast Worker takes more.
import type { Vectors } from "../../format/vector-type.ts";
import type { BackendChoice } from "../../io/open-reader.ts";
import type { SearchParams } from "../../search/machine.ts";
import { QueryStats } from "../../search/stats.ts";
import type { SearchMode } from "../config/config-schema.ts";
import type { SharedIndexParts } from "./shared-index.ts";

/** Shared results of one run (views of SharedArrayBuffers sized for every query). */
export interface SharedResults {
  /** nq × k ids, nearest first. */
  readonly ids: Uint32Array;
  readonly dists: Float32Array;
  /** nq × STAT_COUNT statistics (statsToRow layout). */
  readonly stats: Float64Array;
  /** [0] next query to hand out, [1] queries finished (for progress). */
  readonly counters: Int32Array;
}

/** What every Worker is started with (the pool's options less its thread count). */
export interface WorkerSetup {
  readonly index: SharedIndexParts;
  readonly backend: BackendChoice;
  readonly queries: Vectors;
  readonly dim: number;
  readonly k: number;
  readonly maxL: number;
  readonly maxWidth: number;
  /** Most queries any run interleaves on one ring (sizes the reader's slots). */
  readonly maxConcurrency: number;
  readonly results: SharedResults;
}

export interface InitMessage extends WorkerSetup {
  readonly type: "init";
  readonly worker: number;
}

export interface RunMessage {
  readonly type: "run";
  readonly run: number;
  readonly mode: SearchMode;
  readonly params: SearchParams;
  readonly concurrency: number;
  readonly spin: boolean;
  /** Queries [0, count) are handed out `chunk` at a time. */
  readonly count: number;
  readonly chunk: number;
}

export type ToWorker = InitMessage | RunMessage | { readonly type: "close" };

export type FromWorker =
  | { readonly type: "ready"; readonly worker: number; readonly backend: string }
  | { readonly type: "closed"; readonly worker: number }
  | { readonly type: "done"; readonly worker: number; readonly run: number; readonly startMs: number; readonly endMs: number; readonly cpuMs: number; readonly runQueueMs: number; readonly queries: number }
  | { readonly type: "error"; readonly worker: number; readonly name: string; readonly code: string; readonly message: string; readonly stack: string };

export const STAT_COUNT = 12;

/** Writes a query's statistics at row `q` (allocation-free). */
export function statsToRow(s: QueryStats, out: Float64Array, q: number): void {
  const o = q * STAT_COUNT;
  out[o] = s.reads;
  out[o + 1] = s.cacheHits;
  out[o + 2] = s.hops;
  out[o + 3] = s.rounds;
  out[o + 4] = s.pqDistances;
  out[o + 5] = s.wastedReads;
  out[o + 6] = s.finalWidth;
  out[o + 7] = s.latencyUs;
  out[o + 8] = s.ioWaitUs;
  out[o + 9] = s.cpuUs;
  out[o + 10] = s.pqTableUs;
  out[o + 11] = s.ioBusyUs;
}

export function statsFromRow(src: Float64Array, q: number, into: QueryStats): QueryStats {
  const o = q * STAT_COUNT;
  into.reads = src[o]!;
  into.cacheHits = src[o + 1]!;
  into.hops = src[o + 2]!;
  into.rounds = src[o + 3]!;
  into.pqDistances = src[o + 4]!;
  into.wastedReads = src[o + 5]!;
  into.finalWidth = src[o + 6]!;
  into.latencyUs = src[o + 7]!;
  into.ioWaitUs = src[o + 8]!;
  into.cpuUs = src[o + 9]!;
  into.pqTableUs = src[o + 10]!;
  into.ioBusyUs = src[o + 11]!;
  return into;
}

export function allocSharedResults(nq: number, k: number): SharedResults {
  return {
    ids: new Uint32Array(new SharedArrayBuffer(nq * k * 4)),
    dists: new Float32Array(new SharedArrayBuffer(nq * k * 4)),
    stats: new Float64Array(new SharedArrayBuffer(nq * STAT_COUNT * 8)),
    counters: new Int32Array(new SharedArrayBuffer(8)),
  };
}

/** Absolute milliseconds comparable across Workers (each has its own timeOrigin). */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
