// The JSON config of `ringann run`: a list of jobs run in order. Relative paths resolve against
// the config file's folder (config.ts). DiskANN's `disk-index` jobs are accepted as they are
// (diskann-schema.ts), so an existing DiskANN benchmark file runs unchanged.
import { PAGE_EXPAND_POLICIES } from "../../search/page-machine.ts";
import { z } from "zod";
import { flag, int, intOrList, num, oneOf, oneOrListOf, pathField, record, text } from "./config-fields.ts";
import { DiskIndexJob } from "./diskann-schema.ts";

export const SEARCH_MODES = ["beam", "pipe"] as const;
export const SEARCH_ORDERS = ["sequential", "interleaved"] as const;
export const METRIC_NAMES = ["l2", "ip", "cosine"] as const;
export const IO_BACKENDS = ["auto", "uring", "pread"] as const;
/** How a search Worker waits for its reads (src/run/exec/wait-strategy.ts). */
export const WAIT_STRATEGIES = ["block", "spin", "yield"] as const;
/** Filtered-search strategies a search job may run (issue 12; "none" = unfiltered, the baseline). */
export const JOB_STRATEGIES = ["auto", "pre", "in", "label", "post", "none"] as const;
export const DATASET_SOURCES = ["synthetic", "fashion-mnist", "glove-100"] as const;

const common = {
  name: text("a short name for this job, shown in tables and results").optional(),
  reuse: flag("skip the job when its outputs exist from an identical earlier run").optional(),
};

export const DatasetJob = record("a dataset job", {
  type: z.literal("dataset"),
  ...common,
  source: oneOf(DATASET_SOURCES, "where the vectors come from"),
  dir: pathField("the folder to write base, queries, ground truth and manifest.json into"),
  // synthetic only: a seeded Gaussian mixture in a low-dimensional subspace
  n: int("base vectors", 1, 100_000_000).optional(),
  queries: int("query vectors", 1, 10_000_000).optional(),
  dim: int("dimensions", 2, 4096).optional(),
  clusters: int("mixture components", 1, 1_000_000).optional(),
  intrinsic_dim: int("dimension of the subspace the clusters live in", 1, 4096).optional(),
  seed: int("random seed", 0).optional(),
  k: int("ground-truth neighbours per query", 1, 1000).optional(),
});

export const GtJob = record("a ground-truth job", {
  type: z.literal("gt"),
  ...common,
  base: pathField("base vectors (.fbin/.u8bin/.i8bin)"),
  queries: pathField("query vectors"),
  out: pathField("the ground-truth file to write"),
  k: int("neighbours per query", 1, 10_000).optional(),
  metric: oneOf(METRIC_NAMES, "distance").optional(),
});

export const BuildJob = record("a build job", {
  type: z.literal("build"),
  ...common,
  data: pathField("base vectors (.fbin/.u8bin/.i8bin)").optional(),
  dataset: pathField("a dataset folder with manifest.json (instead of data)").optional(),
  out: pathField("the index prefix to write (<out>_disk.index, <out>_pq_*.bin, ...)"),
  metric: oneOf(METRIC_NAMES, "distance").optional(),
  R: int("maximum graph degree", 4, 512).optional(),
  L: int("build list size", 4, 10_000).optional(),
  alpha: num("pruning slack", 1, 4).optional(),
  pq_bytes: int("PQ bytes per vector", 1, 1024).optional(),
  threads: int("build threads", 1, 1024).optional(),
  ram_gb: num("memory budget in GB", 0, Number.MAX_VALUE, true).optional(),
  entry_graph: flag("also build PipeANN's in-memory entry graph").optional(),
  seed: int("random seed", 0).optional(),
});

const searchShape = {
  ...common,
  index: pathField("the index prefix (<index>_disk.index ...)"),
  dataset: pathField("a dataset folder with manifest.json (gives queries and gt)").optional(),
  queries: pathField("query vectors").optional(),
  gt: pathField("ground truth (DiskANN truth format)").optional(),
  metric: oneOf(METRIC_NAMES, "distance; default: from the dataset manifest, else l2").optional(),
  k: int("neighbours per query (recall@k)", 1, 1000).optional(),
  L: intOrList("search list size", 1, 100_000).optional(),
  mode: oneOrListOf(
    [...SEARCH_MODES, "range"] as const,
    'beam = DiskANN, pipe = PipeANN, range = range search (pipe) with "radius"',
  ).optional(),
  width: intOrList("reads in flight per query (beam width)", 1, 256).optional(),
  threads: z
    .union([z.literal("auto"), intOrList("search threads (Workers)", 1, 256)], {
      error: () =>
        `expected "auto" (one Worker per available core) or an integer from 1 to 256 or a non-empty list of them (search threads)`,
    })
    .optional(),
  concurrency: intOrList("queries interleaved on one thread's ring", 1, 1024).optional(),
  cache_nodes: int("nodes cached in memory, chosen by BFS from the medoid", 0).optional(),
  io_limit: int("most reads per query", 1).optional(),
  adaptive_width: flag("PipeANN's adaptive width (pipe only)").optional(),
  page_search: flag(
    "use every node of a fetched sector (default: on for an index with the page layout of ringann relayout; false: node by node)",
  ).optional(),
  page_expand: oneOf(
    PAGE_EXPAND_POLICIES,
    "page search: which co-located nodes are expanded without a read (queued = those in the candidate list)",
  ).optional(),
  entry_graph: flag("seed searches from the in-memory entry graph when the index has one").optional(),
  max_queries: int("use only the first N queries", 1).optional(),
  warmup_queries: int("queries run and discarded before each measured run", 0).optional(),
  spin: flag(
    'poll the completion queue while every query waits, instead of blocking in the kernel (= wait: "spin")',
  ).optional(),
  pin: flag("pin Worker i to the i-th CPU this process may use (off: the kernel places them)").optional(),
  wait: oneOf(
    WAIT_STRATEGIES,
    "how a Worker waits for reads: block in the kernel, spin on the completion queue, or spin and yield the CPU",
  ).optional(),
  order: oneOf(
    SEARCH_ORDERS,
    "sequential: one run after another; interleaved: each query runs every mode × width in turn",
  ).optional(),
  cache_bytes: num("node cache budget in bytes (with or instead of cache_nodes)", 0).optional(),
  // Filtered and range search (issue 12).
  filter: z
    .unknown()
    .optional()
    .describe('one filter for every query: {"label"}, {"and"}, {"or"}, {"not"}, {"range"}, or a bare label'),
  query_filters: pathField(
    "DiskANN's query filter file: line q is query q's filter (a bare label, or JSON when it starts with '{')",
  ).optional(),
  strategy: oneOrListOf(JOB_STRATEGIES, "filtered-search strategies, side by side").optional(),
  radius: num("range search: every point within this distance (squared L2 for l2)", 0).optional(),
  pre_max: int("auto pre-filters at most this many matching points (default: a cost estimate decides)", 0).optional(),
  max_l: int("largest L a range search or in-filter traversal may grow to", 1, 100_000).optional(),
  unfiltered_gt: pathField('unfiltered ground truth, for the strategy "none" of a filtered search').optional(),
};

export const SearchJob = record("a search job", { type: z.literal("search"), ...searchShape });
export const SweepJob = record("a sweep job", { type: z.literal("sweep"), ...searchShape });

/** `ringann serve` as a job (demos): serves an index until Ctrl-C, or for `seconds`. */
export const ServeJob = record("a serve job", {
  type: z.literal("serve"),
  name: text("the index's name in URLs (default: the index prefix's file name)").optional(),
  index: pathField("the index prefix (<index>_disk.index ...)"),
  dataset: pathField("a dataset folder with manifest.json (random queries, images, words on the page)").optional(),
  host: text("the address to listen on (default 127.0.0.1)").optional(),
  port: int("the TCP port (0 picks a free port)", 0, 65535).optional(),
  threads: int("serving threads, each with its own ring", 1, 256).optional(),
  concurrency: int("queries interleaved on each thread's ring", 1, 256).optional(),
  cache_nodes: int("nodes cached in memory", 0).optional(),
  k: int("default neighbours per query", 1, 1000).optional(),
  L: int("default search list size", 1, 10_000).optional(),
  mode: oneOf(SEARCH_MODES, "default mode").optional(),
  width: int("default reads in flight per query", 1, 64).optional(),
  seconds: num("stop after this many seconds (default: run until Ctrl-C)", 0, Number.MAX_VALUE, true).optional(),
});

export const JOB_TYPES = ["dataset", "gt", "build", "search", "sweep", "serve", "disk-index"] as const;

export const Job = z.discriminatedUnion(
  "type",
  [DatasetJob, GtJob, BuildJob, SearchJob, SweepJob, ServeJob, DiskIndexJob],
  {
    error: (issue) => {
      const found = (issue.input as { type?: unknown } | undefined)?.type;
      return found === undefined
        ? `expected a job object with a "type" field: ${JOB_TYPES.map((t) => JSON.stringify(t)).join(" | ")}`
        : `expected "type" to be one of ${JOB_TYPES.map((t) => JSON.stringify(t)).join(" | ")}`;
    },
  },
);

export const RunConfig = record("the config", {
  $schema: z.string().optional(),
  name: text("a name for this run (default: the config's file name)").optional(),
  description: z.string().optional(),
  output: pathField("the folder for results.json / results.csv / charts").optional(),
  search_directories: z
    .array(pathField("a folder searched for DiskANN input files"), { error: () => "expected a list of folders" })
    .optional(),
  io: oneOf(IO_BACKENDS, "I/O backend").optional(),
  jobs: z
    .array(Job, { error: () => "expected a non-empty list of jobs" })
    .min(1, { error: () => "expected a non-empty list of jobs" }),
});

export type RunConfigInput = z.infer<typeof RunConfig>;
export type JobInput = z.infer<typeof Job>;
export type SearchJobInput = z.infer<typeof SearchJob> | z.infer<typeof SweepJob>;
export type BuildJobInput = z.infer<typeof BuildJob>;
export type DatasetJobInput = z.infer<typeof DatasetJob>;
export type GtJobInput = z.infer<typeof GtJob>;
export type ServeJobInput = z.infer<typeof ServeJob>;
export type SearchMode = (typeof SEARCH_MODES)[number];
export type IoBackendChoice = (typeof IO_BACKENDS)[number];
export type WaitStrategy = (typeof WAIT_STRATEGIES)[number];
