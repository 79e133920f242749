// PipeANN's in-memory entry graph: a small Vamana over a seeded ~1% sample of the points, which a
// search walks in memory to pick good disk entry points. Output (format/mem-index.ts):
// `_mem.index` (graph over sample positions), `.data` (sample vectors), `.tags` (their disk ids).
import { encodeMemIndexGraph, encodeMemIndexTags } from "../format/mem-index.ts";
import { allocVectors, type Metric, type VectorType, type Vectors } from "../format/vector-type.ts";
import type { PhaseReporter } from "./phase-reporter.ts";
import { SeededRandom } from "./random.ts";
import { buildVamanaGraph } from "./vamana-build.ts";

export const ENTRY_SAMPLE_RATE = 0.01;
/** The fixture PipeANN wrote used R = 32, L = 64 for its entry graph. */
export const ENTRY_R = 32;
export const ENTRY_L = 64;

export interface EntryGraph {
  /** Disk ids of the sample, ascending. */
  readonly tags: Uint32Array;
  /** Sample vectors, row-major, same type as the disk index. */
  readonly data: Vectors;
  readonly graphBytes: Uint8Array;
  readonly tagsBytes: Uint8Array;
  readonly entryPoint: number;
}

export interface EntryGraphOptions {
  readonly vectors: Vectors;
  readonly npts: number;
  readonly dim: number;
  readonly type: VectorType;
  readonly metric: Metric;
  readonly alpha: number;
  readonly seed: number;
  readonly sampleRate?: number;
  readonly native?: boolean;
  readonly reporter?: PhaseReporter;
}

export async function buildEntryGraph(opts: EntryGraphOptions): Promise<EntryGraph> {
  const { npts, dim, type } = opts;
  const count = Math.min(npts, Math.max(1, Math.ceil(npts * (opts.sampleRate ?? ENTRY_SAMPLE_RATE))));
  const tags = new SeededRandom(opts.seed ^ 0xe7e7).sampleSorted(npts, count);
  const data = allocVectors(type, count * dim);
  for (let i = 0; i < count; i++) data.set(opts.vectors.subarray(tags[i]! * dim, (tags[i]! + 1) * dim), i * dim);

  const built = await buildVamanaGraph({
    vectors: data,
    npts: count,
    dim,
    type,
    metric: opts.metric,
    R: ENTRY_R,
    L: ENTRY_L,
    alpha: opts.alpha,
    threads: 1,
    seed: opts.seed,
    native: opts.native,
    reporter: opts.reporter,
    label: "entry graph",
  });
  const g = built.graph;
  const offsets = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++) offsets[i + 1] = offsets[i]! + g.degree[i]!;
  const neighbors = new Uint32Array(offsets[count]!);
  for (let i = 0; i < count; i++) neighbors.set(g.nbrs.subarray(i * g.slots, i * g.slots + g.degree[i]!), offsets[i]!);
  return {
    tags,
    data,
    entryPoint: built.medoid,
    graphBytes: encodeMemIndexGraph({ entryPoint: built.medoid, offsets, neighbors }),
    tagsBytes: encodeMemIndexTags(tags),
  };
}
