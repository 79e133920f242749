// What a config means once validated: steps with absolute paths and every default filled in.
// Both ringann's own jobs and DiskANN's disk-index jobs become these steps (config.ts).
import type { PageExpand } from "../../search/page-machine.ts";
import type { Filter } from "../../filter/predicate.ts";
import type { Metric, VectorType } from "../../format/vector-type.ts";
import type { SweepStrategy } from "../../search/filtered-sweep.ts";
import type { IoBackendChoice, SearchMode, WaitStrategy } from "./config-schema.ts";

export interface StepBase {
  /** Where the step came from in the config, for messages: `jobs[3]`. */
  readonly at: string;
  /** Shown in tables and results. */
  readonly label: string;
  /** Skip when the outputs exist from an identical earlier run (stamp file). */
  readonly reuse: boolean;
}

export interface DatasetStep extends StepBase {
  readonly kind: "dataset";
  readonly source: "synthetic" | "fashion-mnist" | "glove-100";
  readonly dir: string;
  readonly synthetic: SyntheticSpec | null;
}

export interface SyntheticSpec {
  readonly n: number;
  readonly queries: number;
  readonly dim: number;
  readonly clusters: number;
  readonly intrinsicDim: number;
  readonly seed: number;
  readonly k: number;
}

export interface GtStep extends StepBase {
  readonly kind: "gt";
  readonly base: string;
  readonly queries: string;
  readonly out: string;
  readonly k: number;
  readonly metric: Metric;
}

export interface BuildStep extends StepBase {
  readonly kind: "build";
  /** Base vectors, or null when `dataset` names a manifest to read at run time. */
  readonly data: string | null;
  readonly dataset: string | null;
  readonly out: string;
  /** null: from the dataset manifest, else l2. */
  readonly metric: Metric | null;
  readonly R: number;
  readonly L: number;
  readonly alpha: number;
  readonly pqBytes: number;
  readonly threads: number;
  readonly ramGb: number | null;
  readonly entryGraph: boolean;
  readonly seed: number;
  /** Set by DiskANN Build sources: the data must have this type and dimension. */
  readonly expect: { readonly type: VectorType; readonly dim: number } | null;
}

export interface SearchStep extends StepBase {
  readonly kind: "search";
  readonly index: string;
  readonly dataset: string | null;
  readonly queries: string | null;
  readonly gt: string | null;
  readonly metric: Metric | null;
  readonly k: number;
  readonly Ls: readonly number[];
  readonly modes: readonly SearchMode[];
  readonly widths: readonly number[];
  readonly threads: readonly number[];
  readonly concurrency: readonly number[];
  readonly cacheNodes: number;
  readonly ioLimit: number | null;
  /** Pipe's adaptive width; null: the search library's default. */
  readonly adaptiveWidth: boolean | null;
  readonly entryGraph: boolean;
  readonly maxQueries: number | null;
  readonly warmupQueries: number;
  /**
   * How Workers wait for reads: block in the kernel, spin on the completion queue (lower latency,
   * burns the core), or spin and yield the CPU to any other runnable thread between polls.
   */
  readonly wait: WaitStrategy;
  /** Pin Worker i to the i-th CPU of the process's affinity (round robin when more Workers than CPUs). */
  readonly pin: boolean;
  /** Set by DiskANN Load sources: the index must hold this type. */
  readonly expectType: VectorType | null;
  /** sequential: all queries of one run, then the next; interleaved: each query runs every mode × width in turn. */
  readonly order: SearchOrder;
  /** Node cache by byte budget (with or instead of cacheNodes). */
  readonly cacheBytes: number | null;
  /** Entry point: null = the library's default (the entry graph when loaded, else the medoid). */
  readonly entry: "medoid" | "graph" | null;
  /** Entry-graph search list size; null = the library's default. */
  readonly memL: number | null;
  /** Pipe: build the PQ table while the first reads are in flight; null = default (true). */
  readonly pqWhileReading: boolean | null;
  /** Pipe: rank reads whose node left the top L instead of dropping them; null = default (true). */
  readonly rankWasted: boolean | null;
  /** Page search: null = by the layout (on for a page layout); false = node by node; true = on any layout. */
  readonly pageSearch: boolean | null;
  /** Page search: which co-located nodes are expanded without a read; null = the library's default (queued). */
  readonly pageExpand: PageExpand | null;
  /** O_DIRECT reads (false: through the page cache). */
  readonly direct: boolean;
  /** Kernel-side submission polling in every Worker. */
  readonly sqpoll: boolean;
  /** Filters of a filtered search (issue 12); null: unfiltered. */
  readonly filters: StepFilters | null;
  /** Filtered search: the strategies run side by side ("none" = unfiltered, scored on unfilteredGt). */
  readonly strategies: readonly SweepStrategy[];
  /** Range search: every point within this distance; `gt` is then range truth. null: k-NN search. */
  readonly radius: number | null;
  /** Largest L a range search or in-filter traversal may grow to. */
  readonly growMaxL: number;
  /** Unfiltered ground truth, for the "none" strategy of a filtered search. */
  readonly unfilteredGt: string | null;
  /** auto pre-filters at most this many matches (null: its cost estimate decides). */
  readonly preMax: number | null;
}

/**
 * Where a filtered search's filters come from; `at` names the field in messages.
 *   one    one filter for every query (`filter`);
 *   lines  DiskANN's query filter file, a filter per query line (a bare label, or JSON);
 *   ids    DiskANN's vector_filters_file: per query, the ids it may return (range-truth layout).
 */
export type StepFilters =
  | { readonly kind: "one"; readonly filter: Filter; readonly at: string }
  | { readonly kind: "lines"; readonly file: string; readonly at: string }
  | { readonly kind: "ids"; readonly file: string; readonly at: string };

export type SearchOrder = "sequential" | "interleaved";

/** The settings of a search step that configs leave at their defaults unless they say otherwise. */
export const SEARCH_STEP_DEFAULTS = {
  wait: "block",
  pin: false,
  order: "sequential",
  cacheBytes: null,
  entry: null,
  memL: null,
  pqWhileReading: null,
  rankWasted: null,
  pageSearch: null,
  pageExpand: null,
  direct: true,
  sqpoll: false,
  filters: null,
  strategies: [],
  radius: null,
  growMaxL: 1024,
  unfilteredGt: null,
  preMax: null,
} as const satisfies Partial<SearchStep>;

export interface ServeStep extends StepBase {
  readonly kind: "serve";
  readonly name: string;
  readonly index: string;
  readonly dataset: string | null;
  readonly host: string;
  readonly port: number;
  readonly threads: number;
  readonly concurrency: number;
  readonly cacheNodes: number;
  readonly k: number;
  readonly L: number;
  readonly mode: SearchMode;
  readonly width: number;
  /** Stop after this long; null: until Ctrl-C. */
  readonly seconds: number | null;
}

export type Step = DatasetStep | GtStep | BuildStep | SearchStep | ServeStep;

export interface RunPlan {
  /** The config file (absolute), or "(built-in demo)". */
  readonly source: string;
  readonly name: string;
  /** Folder the relative paths were resolved against. */
  readonly baseDir: string;
  /** Folder for results.json, results.csv and the charts. */
  readonly outputDir: string;
  readonly io: IoBackendChoice;
  readonly steps: readonly Step[];
  /** Things the user should know (ignored DiskANN fields...), printed before the run. */
  readonly notes: readonly string[];
}

export const DEFAULTS = {
  synthetic: { n: 20_000, queries: 1_000, dim: 96, clusters: 32, intrinsicDim: 16, seed: 1, k: 100 },
  gtK: 100,
  R: 64,
  buildL: 100,
  alpha: 1.2,
  pqBytes: 32,
  k: 10,
  Ls: [10, 20, 50, 100],
  modes: ["beam", "pipe"] as SearchMode[],
  width: 4,
  threads: 1,
  concurrency: 1,
} as const;
