// The build room: vectors in, a DiskANN-format disk index out (PQ files, Vamana graph in 4 KiB
// sectors, PipeANN's entry graph, and the ringann sidecar).
export { buildIndex, BUILD_DEFAULTS, type BuildIndexOptions, type BuildIndexResult } from "./build-index.ts";
export { buildVamanaGraph, type BuiltGraph, type GraphBuildOptions } from "./vamana-build.ts";
export { GreedySearch } from "./greedy-search.ts";
export { createRowDistances, type RowDistances } from "./row-distances.ts";
export { SharedGraph } from "./shared-graph.ts";
export { estimateBuildMemory, peakRssMb } from "./memory-budget.ts";
export { ProgressReporter, type PhaseReporter, type PhaseHandle } from "./phase-reporter.ts";
export { SeededRandom } from "./random.ts";
export { graphRecall, loadDiskGraph, type LoadedDiskGraph } from "./graph-recall.ts";
export { relayoutIndex, PAGE_ALGORITHM, type RelayoutOptions, type RelayoutResult } from "./relayout.ts";
export { pageOrder, identityOrder, overlapRatios, type PageOrder, type SlotGraph } from "./page-order.ts";
export { attachLabels, type AttachOptions, type AttachResult } from "./attach-labels.ts";
export { stitchLabels, type StitchOptions, type StitchResult } from "./label-stitch.ts";
export { FilteredPruner, LabelLists } from "./filtered-prune.ts";
