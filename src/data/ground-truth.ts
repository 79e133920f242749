// Exact k-nearest-neighbour ground truth by blocked brute force on all cores.
//
// The base is streamed in chunks (two SharedArrayBuffers: the main thread reads chunk i+1 while the
// workers scan chunk i), so memory stays bounded by the chunk size whatever the base size. Each worker
// owns a contiguous range of queries and sees every chunk in increasing id order; ties go to the lower
// id. Distances follow src/math/distance.ts: l2 → squared L2, ip → −dot, cosine → squared L2 between
// unit-normalised vectors (= 2 − 2·cos). uint8/int8 data is compared in exact integer arithmetic.
import { FormatError, RingannError, UsageError } from "../errors.ts";
import type { Truth } from "../format/truth.ts";
import { allocElements, type ElementArray, type VectorFileReader } from "../format/vector-file.ts";
import type { Metric, VectorType, Vectors } from "../format/vector-type.ts";
import { normalizeRows } from "../math/distance.ts";
import { workerEntry } from "../runtime/worker-entry.ts";
import { MAX_INT_KERNEL_DIM, type GtRows, type KernelName } from "./gt-kernels.ts";
import type { FromGtWorker, ToGtWorker } from "./gt-worker.ts";

export interface InMemoryVectors {
  readonly npts: number;
  readonly dim: number;
  readonly type: VectorType;
  readonly data: Vectors;
}

/** The subset of a VectorFileReader ground truth needs, so in-memory data can stand in for a file. */
export type BaseRows = Pick<VectorFileReader, "file" | "type" | "npts" | "dim" | "readRowsInto">;

export interface GroundTruthOptions {
  readonly k: number;
  readonly metric: Metric;
  /** Workers to run (default: every core). */
  readonly threads?: number;
  /** Bytes of one base chunk as compared (default 64 MiB; two are allocated). */
  readonly chunkBytes?: number;
  /** Called from time to time with distances computed so far and the total. */
  readonly onProgress?: (doneDistances: number, totalDistances: number) => void;
}

const DEFAULT_CHUNK_BYTES = 64 << 20;
/** Base rows per cache tile: ~256 KiB of rows, so a tile stays in L2 while every query passes over it. */
const TILE_BYTES = 256 << 10;
/** Rows per progress report inside a chunk. */
const SLICE_ROWS = 4096;

export function memoryRows(v: InMemoryVectors, name = "(memory)"): BaseRows {
  return {
    file: name,
    type: v.type,
    npts: v.npts,
    dim: v.dim,
    readRowsInto(start, count, into) {
      const bpe = v.data.BYTES_PER_ELEMENT;
      const src = new Uint8Array(v.data.buffer, v.data.byteOffset + start * v.dim * bpe, count * v.dim * bpe);
      new Uint8Array(into.buffer, into.byteOffset, src.length).set(src);
    },
  };
}

export async function computeGroundTruth(
  base: BaseRows,
  queries: InMemoryVectors,
  opts: GroundTruthOptions,
): Promise<Truth> {
  const { k, metric } = opts;
  const { npts, dim } = base;
  const nq = queries.npts;
  if (base.type === "int32")
    throw new FormatError(base.file, "type", "float32, uint8 or int8 vectors", "int32 (.ivecs)");
  if (queries.dim !== dim) throw new FormatError("queries", "dim", `${dim} (the base's dim)`, String(queries.dim));
  if (!Number.isInteger(k) || k < 1 || k > npts)
    throw new UsageError(`--k must be between 1 and the base's ${npts} points, got ${k}`);
  if (nq < 1) throw new UsageError("no queries to compute ground truth for");

  const compareType: VectorType =
    metric === "cosine" || base.type !== queries.type || dim > MAX_INT_KERNEL_DIM ? "float32" : base.type;
  const kernel: KernelName = `${metric === "ip" ? "ip" : "l2"}-${compareType === "float32" ? "float" : "int"}`;
  const bytesPerValue = compareType === "float32" ? 4 : 1;
  const sharedQueries = toCompareRows(queries.data, compareType, nq * dim, metric === "cosine", dim, true);

  const threads = Math.max(1, Math.min(opts.threads ?? navigator.hardwareConcurrency, nq));
  const chunkRows = Math.max(
    1,
    Math.min(npts, Math.floor((opts.chunkBytes ?? DEFAULT_CHUNK_BYTES) / (dim * bytesPerValue))),
  );
  const tileRows = Math.max(8, Math.floor(TILE_BYTES / (dim * bytesPerValue)));
  const chunks = [0, 1].map(() => allocElements(compareType, chunkRows * dim, true) as GtRows);
  // A type change (e.g. uint8 rows compared as float for cosine) reads into a private scratch first.
  const scratch = compareType !== base.type ? allocElements(base.type, chunkRows * dim) : null;

  const progress = new Float64Array(new SharedArrayBuffer(8 * threads));
  const outIds = new Uint32Array(new SharedArrayBuffer(4 * nq * k));
  const outDists = new Float32Array(new SharedArrayBuffer(4 * nq * k));
  const totalDistances = npts * nq;

  const pool = new GtPool(threads);
  const timer = opts.onProgress ? setInterval(() => opts.onProgress!(sum(progress), totalDistances), 200) : null;
  try {
    await pool.broadcast((w) => {
      const qStart = Math.floor((w * nq) / threads);
      const qEnd = Math.floor(((w + 1) * nq) / threads);
      return {
        kind: "init",
        kernel,
        queries: sharedQueries,
        qStart,
        qEnd,
        k,
        dim,
        tileRows,
        sliceRows: SLICE_ROWS,
        progress,
        progressSlot: w,
        outIds,
        outDists,
      };
    });
    const fill = (chunk: GtRows, start: number, rows: number): void => {
      if (scratch) {
        base.readRowsInto(start, rows, scratch);
        const out = chunk as Float32Array;
        for (let i = 0; i < rows * dim; i++) out[i] = scratch[i]!;
      } else {
        base.readRowsInto(start, rows, chunk);
      }
      if (metric === "cosine") normalizeRows((chunk as Float32Array).subarray(0, rows * dim), dim);
    };
    let c = 0;
    fill(chunks[0]!, 0, Math.min(chunkRows, npts));
    for (let start = 0; start < npts; start += chunkRows, c ^= 1) {
      const rows = Math.min(chunkRows, npts - start);
      const scanned = pool.broadcast(() => ({ kind: "chunk", chunk: chunks[c]!, rows, baseId0: start }));
      const next = start + chunkRows;
      // Read the next chunk while the workers scan this one (the other buffer is free by now).
      if (next < npts) fill(chunks[c ^ 1]!, next, Math.min(chunkRows, npts - next));
      await scanned;
    }
    await pool.broadcast(() => ({ kind: "finish" }));
  } finally {
    if (timer) clearInterval(timer);
    pool.terminate();
  }
  opts.onProgress?.(totalDistances, totalDistances);
  return { nq, k, ids: outIds.slice(), dists: outDists.slice() };
}

/** Queries as the kernel compares them (converted / normalised copies in a SharedArrayBuffer). */
function toCompareRows(
  data: ElementArray,
  type: VectorType,
  count: number,
  normalize: boolean,
  dim: number,
  shared: boolean,
): GtRows {
  const out = allocElements(type, count, shared) as GtRows;
  for (let i = 0; i < count; i++) out[i] = data[i]!;
  if (normalize) normalizeRows(out as Float32Array, dim);
  return out;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

/** The gt workers, one reply expected per message; any error rejects the whole computation. */
class GtPool {
  private readonly workers: Worker[] = [];
  private readonly waiting: Array<{ resolve: () => void; reject: (e: Error) => void } | null> = [];
  private failure: Error | null = null;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(workerEntry("data/gt-worker.ts", import.meta.url));
      worker.onmessage = (event: MessageEvent<FromGtWorker>) =>
        this.settle(
          i,
          event.data.kind === "ok" ? null : new RingannError("E_WORKER", `gt worker ${i}: ${event.data.message}`),
        );
      worker.onerror = (event: ErrorEvent) =>
        this.settle(i, new RingannError("E_WORKER", `gt worker ${i} crashed: ${event.message}`));
      this.workers.push(worker);
      this.waiting.push(null);
    }
  }

  broadcast(message: (worker: number) => ToGtWorker): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return Promise.all(
      this.workers.map(
        (worker, i) =>
          new Promise<void>((resolve, reject) => {
            this.waiting[i] = { resolve, reject };
            worker.postMessage(message(i));
          }),
      ),
    ).then(() => undefined);
  }

  private settle(i: number, error: Error | null): void {
    const pending = this.waiting[i];
    this.waiting[i] = null;
    if (error) {
      this.failure = error;
      pending?.reject(error);
    } else {
      pending?.resolve();
    }
  }

  terminate(): void {
    for (const w of this.workers) w.terminate();
  }
}
