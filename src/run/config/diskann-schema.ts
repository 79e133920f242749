// DiskANN's benchmark input for disk indexes (the `diskann-benchmark` tool of DiskANN's Rust
// rewrite), accepted so existing configs run unchanged:
//   { "search_directories": [...], "jobs": [ { "type": "disk-index", "content": {
//       "source": { "disk-index-source": "Load" | "Build", ... },
//       "search_phase": { ..., "search_mode": { "mode": "BeamSearch" | "PipeSearch", ... } } } } ] }
// Field names and meanings follow that tool; jobs.ts maps them onto ringann's build and search.
import { z } from "zod";
import { flag, int, num, oneOf, pathField, record } from "./config-fields.ts";

/** DiskANN's distance names (SimilarityMeasure, snake_case). */
export const DISKANN_DISTANCES = ["squared_l2", "inner_product", "cosine", "cosine_normalized"] as const;
export const DISKANN_DATA_TYPES = ["float32", "uint8", "int8"] as const;

const dataType = oneOf(DISKANN_DATA_TYPES, "vector element type");
const distance = oneOf(DISKANN_DISTANCES, "distance");

const LoadSource = record("a Load source", {
  "disk-index-source": z.literal("Load"),
  data_type: dataType,
  load_path: pathField("the index prefix to load"),
});

const BuildSource = record("a Build source", {
  "disk-index-source": z.literal("Build"),
  data_type: dataType,
  data: pathField("base vectors, looked up in search_directories"),
  distance,
  dim: int("dimensions of the data", 1, 65_536),
  max_degree: int("maximum graph degree R", 4, 512),
  l_build: int("build list size", 4, 10_000),
  num_threads: int("build threads", 1, 1024),
  build_ram_limit_gb: num("build memory budget in GB", 0, Number.MAX_VALUE, true),
  num_pq_chunks: int("PQ chunks (bytes per vector)", 1, 1024),
  // DiskANN: how the disk copy of the vectors is stored; ringann stores them as given ("FP").
  quantization_type: z
    .union([z.literal("FP"), z.record(z.string(), z.unknown())], {
      error: () => 'expected "FP" (full precision) or a quantization object',
    })
    .optional(),
  save_path: pathField("the index prefix to write"),
});

const Source = z.discriminatedUnion("disk-index-source", [LoadSource, BuildSource], {
  error: () => 'expected a source object with "disk-index-source": "Load" | "Build"',
});

const SearchMode = record("a search_mode", {
  mode: oneOf(["BeamSearch", "PipeSearch"] as const, "DiskANN's search algorithm"),
  adaptive_beam_width: flag("PipeANN's adaptive beam width (PipeSearch)").optional(),
  relaxed_monotonicity_l: int("PipeANN's relaxed-monotonicity list size (PipeSearch)", 1).optional(),
  sqpoll_idle_ms: int("io_uring SQPOLL idle time in ms (PipeSearch)", 0).optional(),
});

const SearchPhase = record("a search_phase", {
  queries: pathField("query vectors, looked up in search_directories"),
  groundtruth: pathField("ground truth, looked up in search_directories"),
  search_list: z
    .array(int("search list size L", 1, 100_000), { error: () => "expected a non-empty list of search list sizes" })
    .min(1, { error: () => "expected a non-empty list of search list sizes" }),
  beam_width: int("beam width (reads in flight per query)", 1, 256),
  recall_at: int("k of recall@k", 1, 1000),
  num_threads: int("search threads", 1, 256),
  is_flat_search: flag("exhaustive search instead of the graph").optional(),
  distance,
  vector_filters_file: pathField("label filters").nullable().optional(),
  num_nodes_to_cache: int("nodes cached in memory", 0).nullable().optional(),
  search_io_limit: int("most reads per query", 1).nullable().optional(),
  search_mode: SearchMode.optional(),
});

export const DiskIndexJob = record("a disk-index job", {
  type: z.literal("disk-index"),
  content: record("a disk-index job's content", {
    source: Source,
    search_phase: SearchPhase.optional(),
  }),
});

export type DiskIndexJobInput = z.infer<typeof DiskIndexJob>;
