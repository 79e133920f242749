// Messages between the main thread and the search Workers, and the shared result layout.
// Per query the Workers write, into shared memory: k ids and distances, and its statistics
// (QueryStats.writeTo: STAT_COUNT numbers in search/stat-fields.ts order, so every stat crosses).
// Queries are handed out through an atomic counter in chunks, so a fast Worker takes more.
// A run has one or more combos (mode + resolved parameters); with several, each query runs through
// every combo in turn ("interleaved" order), and combo c's answers sit in block c of the arrays.
import type { Vectors } from "../../format/vector-type.ts";
import type { BackendChoice } from "../../io/open-reader.ts";
import type { SubmitPolicy } from "../../search/driver.ts";
import type { SweepStrategy } from "../../search/filtered-sweep.ts";
import type { SearchParams } from "../../search/machine.ts";
import { STAT_COUNT } from "../../search/stat-fields.ts";
import type { SearchMode, WaitStrategy } from "../config/config-schema.ts";
import type { SharedIndexParts } from "./shared-index.ts";

/** Shared results of one run (views of SharedArrayBuffers sized for every query of every combo). */
export interface SharedResults {
  /** Queries per combo block (nq). */
  readonly capacity: number;
  /** combos × nq × k ids, nearest first. */
  readonly ids: Uint32Array;
  readonly dists: Float32Array;
  /** combos × nq × STAT_COUNT statistics (QueryStats.writeTo layout). */
  readonly stats: Float64Array;
  /** [0] next query to hand out, [1] queries finished (for progress). */
  readonly counters: Int32Array;
  /** Filtered and range runs: combos × nq × EXTRA_COUNT figures (EXTRA_* order); empty otherwise. */
  readonly extras: Float64Array;
}

/** Per query of a filtered or range run, what the Worker reports beside the stats (extras layout). */
export const EXTRA_STRATEGY = 0; // CHOSEN_STRATEGIES index
export const EXTRA_EFFECTIVE_L = 1;
export const EXTRA_SELECTIVITY = 2;
export const EXTRA_FOUND = 3; // results returned (range: points inside the radius)
export const EXTRA_ROUNDS = 4; // range: searches run
export const EXTRA_HITS = 5; // range: found points in the range truth
export const EXTRA_TRUTH = 6; // range: points in the range truth
export const EXTRA_COUNT = 7;

/**
 * The filters of a run in shared memory: every distinct filter as a bitset over the index's points
 * (words in a SharedArrayBuffer), its count and label start points, and per query which one it uses.
 */
export interface SharedFilters {
  readonly npts: number;
  /** Query q uses sets[filterOf[q]]. */
  readonly filterOf: Int32Array;
  readonly sets: readonly { readonly words: Uint32Array; readonly count: number; readonly starts: Uint32Array }[];
}

/** Range truth in shared memory (format/range-truth.ts). */
export interface SharedRangeTruth {
  readonly offsets: Uint32Array;
  readonly ids: Uint32Array;
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
  /** O_DIRECT reads (default true). */
  readonly direct?: boolean;
  /** Kernel-side submission polling (costs a core per Worker; off by default). */
  readonly sqpoll?: boolean;
  /** Page search (default: on for a page-layout index; false: node by node). */
  readonly pageSearch?: boolean;
  /** Filtered runs: the queries' filters (null: none). */
  readonly filters?: SharedFilters | null;
  /** Range runs: the range truth, for per-query hits (null: none). */
  readonly rangeTruth?: SharedRangeTruth | null;
}

export interface InitMessage extends WorkerSetup {
  readonly type: "init";
  readonly worker: number;
  /** The CPU to pin this Worker to, or null to let the kernel place it. */
  readonly cpu: number | null;
}

/** One way of searching in a run: combo c writes block c of the shared results. */
export interface RunCombo {
  readonly mode: SearchMode;
  readonly params: SearchParams;
  /** Filtered search with this strategy ("none": unfiltered through the filter engine). */
  readonly strategy?: SweepStrategy;
  /** Range search: every point within this distance (params.L is the first list size). */
  readonly radius?: number;
  /** Largest L a range search or in-filter traversal may grow to. */
  readonly growMaxL?: number;
  /** auto: pre-filter at most this many matches (default: its cost estimate). */
  readonly preMax?: number;
}

export interface RunMessage {
  readonly type: "run";
  readonly run: number;
  /** One combo, or several run in turn for each query (then concurrency is 1). */
  readonly combos: readonly RunCombo[];
  readonly concurrency: number;
  readonly wait: WaitStrategy;
  /** Queries [0, count) are handed out `chunk` at a time. */
  readonly count: number;
  readonly chunk: number;
}

export type ToWorker = InitMessage | RunMessage | { readonly type: "close" };

export type FromWorker =
  | {
      readonly type: "ready";
      readonly worker: number;
      readonly backend: string;
      readonly submit: SubmitPolicy;
      readonly tid: number;
      readonly pinned: boolean;
    }
  | { readonly type: "closed"; readonly worker: number }
  | {
      readonly type: "done";
      readonly worker: number;
      readonly run: number;
      readonly startMs: number;
      readonly endMs: number;
      readonly cpuMs: number;
      readonly runQueueMs: number;
      readonly queries: number;
      /** Per combo: the summed time of this Worker's searches (interleaved runs' per-combo wall time). */
      readonly comboMs: readonly number[];
    }
  | {
      readonly type: "error";
      readonly worker: number;
      readonly name: string;
      readonly code: string;
      readonly message: string;
      readonly stack: string;
    };

/** Where query q of combo c starts in `extras`. */
export function extrasOffset(results: SharedResults, combo: number, q: number): number {
  return (combo * results.capacity + q) * EXTRA_COUNT;
}

/** Where query q of combo c starts in `stats` (its k ids and distances start at (c × nq + q) × k). */
export function statsOffset(results: SharedResults, combo: number, q: number): number {
  return (combo * results.capacity + q) * STAT_COUNT;
}

export function allocSharedResults(nq: number, k: number, combos = 1, extras = false): SharedResults {
  return {
    extras: new Float64Array(new SharedArrayBuffer(extras ? combos * nq * EXTRA_COUNT * 8 : 0)),
    capacity: nq,
    ids: new Uint32Array(new SharedArrayBuffer(combos * nq * k * 4)),
    dists: new Float32Array(new SharedArrayBuffer(combos * nq * k * 4)),
    stats: new Float64Array(new SharedArrayBuffer(combos * nq * STAT_COUNT * 8)),
    counters: new Int32Array(new SharedArrayBuffer(8)),
  };
}

/** Absolute milliseconds comparable across Workers (each has its own timeOrigin). */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
