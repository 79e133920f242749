// ringann as a library. Data flows one way: data files → build → index files → search → results.
// Each room has its own index.ts with the full list; this file re-exports what programs need most.

// Errors (stable `code`, structured fields).
export { ConfigError, FormatError, IoError, RingannError, UsageError } from "./errors.ts";

// Data in and out.
export type { Metric, VectorType, Vectors } from "./format/vector-type.ts";
export { readBin, readBinHeader, readBinRows, writeBin, readTruth, writeTruth } from "./format/index.ts";
export { makeSynthetic, computeGroundTruth, memoryRows, recallAtK, recallAtKByDistance, readManifest } from "./data/index.ts";

// Build.
export { buildIndex, type BuildIndexOptions, type BuildIndexResult } from "./build/index.ts";

// Search.
export { DiskIndex, type DiskIndexOptions, type SearchMode, type SearchOptions, type SearchResult } from "./search/index.ts";
export { summarizeRun, type RunFigures } from "./search/index.ts";
export { QueryScheduler, type AsyncQueryOptions, type AsyncSearchResult } from "./search/index.ts";

// I/O.
export { openSectorReader, ReadCompletions, probeUring, type SectorReader } from "./io/index.ts";
