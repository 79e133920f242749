// The search room: beam search (DiskANN) and pipelined search (PipeANN) over a SectorReader.
//
// One query at a time:
//   const index = await DiskIndex.open(prefix, { cacheNodes: 1000 });
//   const r = index.search(query, { k: 10, L: 50, mode: "pipe", width: 4 });   // ids, distances, stats
//   index.close();
// In a loop, resolve the options once and use the allocation-free form:
//   const p = index.resolve({ k: 10, L: 50, mode: "pipe" });
//   index.searchInto(queries, q * dim, p, outIds, outDists, q * 10); index.machineFor("pipe").stats
//
// Many queries interleaved on one worker's ring (issue 6): open with { concurrency: C } — the index
// then has C beam and C pipe machines (QueryMachine: queue, visited set, results, PQ table, stats,
// all allocated once) sharing one reader and NodeSource. Every read is tagged with its machine's
// `owner` in source.slotOwner[slot] (and the node in source.slotNode[slot]); the driver routes each
// completion to machines[owner].onRead(slot) and releases reads of queries that finished without
// them (owner ABANDONED). Nothing in the search loop knows how many queries share the ring:
//   index.driver.runInterleaved(index.machinesFor("pipe"), queries, dim, nq, p, (q, m) => {
//     m.topK(10, outIds, outDists, q * 10); collector.add(m.stats);
//   });
// A custom driver needs only: m.begin(query, offset, params, now); m.step(now) → Done | Ready |
// Blocked; route completions by slotOwner; when every machine is Blocked, wait on the reader
// (m.waitingFor() completions) and charge the time with m.addIoWait(us). See driver.ts.
//
// Per-run figures: RunCollector / summarizeRun (stats.ts) aggregate QueryStats into RunFigures
// (latency percentiles and the per-query mean of every stat in stat-fields.ts), the figures of
// `ringann search` rows; sweeps over L, mode, width and threads are run by src/run (runPlan).
export {
  DiskIndex,
  type DiskIndexOptions,
  type SearchMode,
  type SearchOptions,
  type SearchResult,
} from "./disk-index.ts";
export { SearchDriver, type DriverOptions } from "./driver.ts";
export {
  QueryScheduler,
  type AsyncQueryOptions,
  type AsyncSearchResult,
  type AsyncWaitMode,
  type SchedulerOptions,
} from "./async-index.ts";
export { BeamSearch } from "./beam.ts";
export { PipeSearch } from "./pipe.ts";
export { PageBeamSearch } from "./page-beam.ts";
export { PagePipeSearch } from "./page-pipe.ts";
export { PageMachine, PAGE_EXPAND_POLICIES, type PageExpand } from "./page-machine.ts";
export { createQueryMachine, pageLayoutOf, type PageLayoutInfo } from "./page-layout.ts";
export { Blocked, Done, QueryMachine, Ready, type Progress, type SearchContext, type SearchParams } from "./machine.ts";
export { ABANDONED, NodeSource, cacheHandle } from "./node-source.ts";
export { NodeCache, cacheNodeCount, loadNodeCache, type CacheSize } from "./cache.ts";
export { CachePositions } from "./cache-positions.ts";
export { EntryGraph } from "./entry-graph.ts";
export { CandidateQueue } from "./queue.ts";
export {
  HashedVisitedSet,
  StampedVisitedSet,
  VISITED_ARRAY_MAX_NPTS,
  type VisitedSet,
  createVisitedSet,
  visitedEstimate,
} from "./visited.ts";
export { ResultSet } from "./results.ts";
export { QueryStats, RunCollector, percentile, summarizeRun, type RunFigures } from "./stats.ts";
export { STAT_COUNT, STAT_FIELDS, STAT_NAMES, type StatColumn, type StatField, type StatName } from "./stat-fields.ts";
export { loadIndexFiles, type IndexFiles } from "./index-files.ts";
// Filtered and range search (issue 12).
export {
  FILTER_STRATEGIES,
  FilteredIndex,
  type AutoOptions,
  type ChosenStrategy,
  type FilterStrategy,
  type FilteredResult,
  type FilteredSearchOptions,
} from "./filtered-index.ts";
export {
  CHOSEN_STRATEGIES,
  FilterEngine,
  type FilterEngineOptions,
  type MatchView,
  type ModeParams,
} from "./filter-engine.ts";
export { FilteredBeamSearch, FilteredPipeSearch, type FilterPlan } from "./filtered-machines.ts";
export { PrefilterSearch } from "./prefilter.ts";
export { LocalSelectivity } from "./local-selectivity.ts";
export {
  runFilteredSweep,
  type FilteredRow,
  type FilteredSweepOptions,
  type SweepQueries,
  type SweepStrategy,
} from "./filtered-sweep.ts";
export type { RangeResult, RangeSearchOptions } from "./range-search.ts";
export { rangeSearch } from "./range-index.ts";
