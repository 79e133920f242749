// ringann as a library. Data flows one way: data files → build → index files → search → results.
// Each room has its own index.ts with the full list; this file re-exports what programs need most.

// Errors (stable `code`, structured fields).
export { ConfigError, FormatError, IoError, RingannError, UsageError } from "./errors.ts";

// Data in and out.
export type { Metric, VectorType, Vectors } from "./format/vector-type.ts";
export { readBin, readBinHeader, readBinRows, writeBin, readTruth, writeTruth } from "./format/index.ts";
export {
  makeSynthetic,
  computeGroundTruth,
  memoryRows,
  recallAtK,
  recallAtKByDistance,
  readManifest,
} from "./data/index.ts";

// Build.
export { buildIndex, type BuildIndexOptions, type BuildIndexResult } from "./build/index.ts";
export { relayoutIndex, type RelayoutOptions, type RelayoutResult } from "./build/index.ts";

// Search.
export {
  DiskIndex,
  type DiskIndexOptions,
  type SearchMode,
  type SearchOptions,
  type SearchResult,
} from "./search/index.ts";
export { summarizeRun, type RunFigures } from "./search/index.ts";
export { QueryScheduler, type AsyncQueryOptions, type AsyncSearchResult } from "./search/index.ts";

// Filtered and range search (labels beside the index: `ringann build --labels` or attachLabels).
export { FilteredIndex, rangeSearch, type FilteredSearchOptions, type FilterStrategy } from "./search/index.ts";
export { parseFilter, parseFilterText, type Filter } from "./filter/index.ts";
export { attachLabels } from "./build/index.ts";

// I/O.
export { openSectorReader, ReadCompletions, probeUring, type SectorReader } from "./io/index.ts";
