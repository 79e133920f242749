// Builds the Vamana graph: medoid, seeded insertion order, then two passes (alpha = 1, then the
// target alpha), each followed by a cleanup that prunes nodes left above R by reverse edges.
// threads = 1 runs on the calling thread (deterministic for a seed); more threads run in Workers
// sharing the vectors and the graph through SharedArrayBuffers.
import type { Metric, VectorType, Vectors } from "../format/vector-type.ts";
import { allocVectors } from "../format/vector-type.ts";
import { RingannError } from "../errors.ts";
import { kernelName, loadNativeKernels } from "../math/native-kernels.ts";
import { workerEntry } from "../runtime/worker-entry.ts";
import { findMedoid } from "./medoid.ts";
import type { PhaseReporter } from "./phase-reporter.ts";
import { SeededRandom } from "./random.ts";
import { SharedGraph } from "./shared-graph.ts";
import { DEFAULT_MAX_POOL, VamanaInserter, type VamanaParams } from "./vamana.ts";
import { COUNTER_DONE, COUNTER_NEXT, COUNTER_SLOTS, runPass, type PassKind } from "./vamana-pass.ts";
import type { WorkerInit, WorkerReply } from "./worker-protocol.ts";

export interface GraphBuildOptions {
  readonly vectors: Vectors;
  readonly npts: number;
  readonly dim: number;
  readonly type: VectorType;
  /** "cosine" callers normalise first and pass "l2". */
  readonly metric: Metric;
  readonly R: number;
  readonly L: number;
  readonly alpha: number;
  readonly threads: number;
  readonly seed: number;
  readonly maxPool?: number;
  readonly saturate?: boolean;
  /** Use the native kernels when available (default true). */
  readonly native?: boolean;
  readonly reporter?: PhaseReporter;
  /** Prefix for phase labels, e.g. "entry graph". */
  readonly label?: string;
  /** Stops Workers at their next chunk; the build then throws the abort reason. */
  readonly signal?: AbortSignal;
}

export interface BuiltGraph {
  readonly graph: SharedGraph;
  readonly medoid: number;
  readonly comparisons: number;
  readonly kernel: string;
}

export async function buildVamanaGraph(opts: GraphBuildOptions): Promise<BuiltGraph> {
  const { npts, dim, type, metric, R, L, alpha } = opts;
  const params: VamanaParams = { R, L, maxPool: opts.maxPool ?? DEFAULT_MAX_POOL, saturate: opts.saturate ?? false };
  const kernels = opts.native === false ? null : await loadNativeKernels();
  const label = opts.label ?? "graph";
  const graph = SharedGraph.allocate(npts, R);
  const medoid = findMedoid(opts.vectors, npts, dim);
  const order = new Uint32Array(new SharedArrayBuffer(npts * 4));
  order.set(new SeededRandom(opts.seed).permutation(npts));
  const counters = new Int32Array(new SharedArrayBuffer(COUNTER_SLOTS * 4));
  const passes: { kind: PassKind; alpha: number; name: string }[] = [
    { kind: "insert", alpha: 1, name: `${label} pass 1 (alpha 1)` },
    { kind: "cleanup", alpha: 1, name: `${label} cleanup 1` },
    { kind: "insert", alpha, name: `${label} pass 2 (alpha ${alpha})` },
    { kind: "cleanup", alpha, name: `${label} cleanup 2` },
  ];
  let comparisons = 0;
  let kernel = kernels ? kernelName() : "ts";
  const threads = Math.max(1, Math.min(opts.threads, Math.ceil(npts / 256)));

  if (threads === 1) {
    const inserter = new VamanaInserter(graph, opts.vectors, dim, type, metric, params, kernels);
    for (const pass of passes) {
      const phase = opts.reporter?.start(pass.name, npts);
      counters.fill(0);
      // On the calling thread: return to the event loop every ~50 ms so signals (Ctrl-C → abort)
      // and progress output are handled; runPass resumes from the shared counters.
      const onChunk = (): void => phase?.update(Atomics.load(counters, COUNTER_DONE));
      while (!runPass(inserter, pass.kind, order, counters, medoid, pass.alpha, onChunk, performance.now() + 50)) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        opts.signal?.throwIfAborted();
      }
      phase?.finish();
    }
    comparisons = inserter.comparisons;
  } else {
    const shared = toShared(opts.vectors, type);
    const init: WorkerInit = {
      kind: "init",
      vectors: shared.buffer as SharedArrayBuffer,
      vectorsByteOffset: shared.byteOffset,
      type,
      npts,
      dim,
      metric,
      graph: graph.buffers,
      params,
      order: order.buffer as SharedArrayBuffer,
      counters: counters.buffer as SharedArrayBuffer,
      medoid,
      useNative: kernels !== null,
    };
    const pool = await WorkerPool.start(threads, init);
    kernel = pool.kernel;
    try {
      for (const pass of passes) {
        const phase = opts.reporter?.start(pass.name, npts);
        counters.fill(0);
        const timer = setInterval(() => {
          // Aborting makes the shared cursor run past the end, so every Worker stops after its chunk.
          if (opts.signal?.aborted) Atomics.store(counters, COUNTER_NEXT, npts);
          else phase?.update(Atomics.load(counters, COUNTER_DONE));
        }, 200);
        try {
          comparisons += await pool.run(pass.kind, pass.alpha);
        } finally {
          clearInterval(timer);
        }
        opts.signal?.throwIfAborted();
        phase?.update(npts);
        phase?.finish();
      }
    } finally {
      pool.close();
    }
  }
  return { graph, medoid, comparisons, kernel };
}

function toShared(vectors: Vectors, type: VectorType): Vectors {
  if (vectors.buffer instanceof SharedArrayBuffer) return vectors;
  const copy = allocVectors(type, vectors.length, true);
  copy.set(vectors);
  return copy;
}

/** T build Workers attached to one shared job; run() posts a pass to all and awaits them. */
class WorkerPool {
  private readonly workers: Worker[];
  /** The distance kernel the Workers loaded (they load it themselves). */
  kernel = "ts";
  private constructor(workers: Worker[]) {
    this.workers = workers;
  }

  static async start(threads: number, init: WorkerInit): Promise<WorkerPool> {
    const workers: Worker[] = [];
    for (let t = 0; t < threads; t++) workers.push(new Worker(workerEntry("build/build-worker.ts", import.meta.url)));
    const pool = new WorkerPool(workers);
    const replies = await pool.broadcast(() => init);
    const kernels = new Set(replies.map((r) => (r.kind === "ready" ? r.kernel : "ts")));
    pool.kernel = kernels.size === 1 ? [...kernels][0]! : [...kernels].join("+");
    return pool;
  }

  async run(kind: PassKind, alpha: number): Promise<number> {
    const replies = await this.broadcast(() => ({ kind: "pass", pass: kind, alpha }));
    let comparisons = 0;
    for (const r of replies) if (r.kind === "done") comparisons += r.comparisons;
    return comparisons;
  }

  private broadcast(message: () => unknown): Promise<WorkerReply[]> {
    return Promise.all(
      this.workers.map(
        (w) =>
          new Promise<WorkerReply>((resolve, reject) => {
            w.onmessage = (e: MessageEvent<WorkerReply>) => {
              if (e.data.kind === "error")
                reject(new RingannError("E_BUILD_WORKER", `A build worker failed: ${e.data.message}`));
              else resolve(e.data);
            };
            w.onerror = (e) => reject(new RingannError("E_BUILD_WORKER", `A build worker crashed: ${e.message}`));
            w.postMessage(message());
          }),
      ),
    );
  }

  close(): void {
    for (const w of this.workers) w.terminate();
  }
}
