// What a build needs in memory, estimated before any work starts, so `--ram-gb` can refuse a job
// that would not fit (with the figure it needs) instead of failing hours in. The terms follow the
// buffers the build actually allocates; the runtime terms were measured with Bun 1.4.5.
import { bytesPerElement, type VectorType } from "../format/vector-type.ts";
import { SharedGraph } from "./shared-graph.ts";
import { DEFAULT_PQ_TRAIN_SAMPLE } from "./pq.ts";

const RUNTIME_BYTES = 64 * 2 ** 20;
const WORKER_RUNTIME_BYTES = 24 * 2 ** 20;
const WRITE_BUFFER_BYTES = 2 ** 20;

export interface MemoryEstimateInput {
  readonly npts: number;
  readonly dim: number;
  readonly type: VectorType;
  readonly R: number;
  readonly pqBytes: number;
  readonly threads: number;
  /** Cosine keeps a normalised float32 copy. */
  readonly normalizedCopy: boolean;
}

export interface MemoryEstimate {
  readonly totalBytes: number;
  readonly parts: Record<string, number>;
}

export function estimateBuildMemory(input: MemoryEstimateInput): MemoryEstimate {
  const { npts, dim, type, R, pqBytes, threads } = input;
  const vectorBytes = npts * dim * (input.normalizedCopy ? 4 : bytesPerElement(type));
  const sample = Math.min(npts, DEFAULT_PQ_TRAIN_SAMPLE);
  const parts: Record<string, number> = {
    vectors: vectorBytes + (input.normalizedCopy ? npts * dim * bytesPerElement(type) : 0),
    graph: SharedGraph.bytesFor(npts, R),
    // One chunk's columns of the sample at a time, plus k-means scratch and the 4096-row encode block.
    pqTraining: sample * (Math.ceil(dim / pqBytes) * 4 + 8) + 4096 * dim * 4,
    pqCodes: npts * pqBytes,
    // Per thread: visited + pool stamps (2 × npts u32) and small fixed scratch.
    threadScratch: threads * (npts * 8 + 2 ** 20),
    insertionOrder: npts * 4,
    entryGraph: Math.ceil(npts / 100) * (dim * 4 + SharedGraph.bytesFor(1, 32) + 8) + npts * 8,
    layoutBuffer: WRITE_BUFFER_BYTES,
    runtime: RUNTIME_BYTES + threads * WORKER_RUNTIME_BYTES,
  };
  let totalBytes = 0;
  for (const v of Object.values(parts)) totalBytes += v;
  return { totalBytes, parts };
}

/** Peak resident memory of this process so far (all Workers included), in MiB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function formatGb(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GB`;
}

export function formatMb(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MB`;
}
