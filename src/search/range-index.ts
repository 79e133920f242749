// Range search on a DiskIndex (the library form):
//   const r = rangeSearch(index, query, { radius: 2e6, L: 10 });   // ids, distances (nearest first), rounds, stats
// Runs FilterEngine.rangeInto on an engine made once per index (its machines after the index's own, on
// the index's reader), so the rounds continue one another as in the runner and the server.
import type { Vectors } from "../format/vector-type.ts";
import type { DiskIndex } from "./disk-index.ts";
import { FilterEngine } from "./filter-engine.ts";
import type { RangeResult, RangeSearchOptions } from "./range-search.ts";

const engines = new WeakMap<DiskIndex, FilterEngine>();

export function rangeSearch(index: DiskIndex, query: Vectors, opts: RangeSearchOptions, offset = 0): RangeResult {
  let engine = engines.get(index);
  if (engine === undefined) {
    engine = new FilterEngine(index.context, {
      prior: index.machines,
      spin: index.driver.spin,
      submit: index.submitPolicy,
    });
    engines.set(index, engine);
  }
  const maxL = Math.min(opts.maxL ?? index.context.maxL, index.context.maxL);
  const L = Math.min(opts.L ?? 10, maxL);
  const params = index.resolve({ k: L, L, mode: opts.mode ?? "pipe", width: opts.width ?? 4 });
  const ids = new Uint32Array(maxL);
  const dists = new Float32Array(maxL);
  index.driver.drain();
  const n = engine.rangeInto(query, offset, params, opts.radius, maxL, null, ids, dists);
  engine.driver.drain();
  const stats = engine.rangeStats.clone();
  return {
    ids: ids.slice(0, n),
    distances: dists.slice(0, n),
    rounds: engine.lastRounds,
    finalL: engine.lastFinalL,
    reads: stats.reads,
    latencyUs: stats.latencyUs,
    stats,
  };
}
