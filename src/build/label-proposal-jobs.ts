// The proposals of the label-aware build (label-proposals.ts), split by label over the build's threads:
// each Worker (label-proposal-worker.ts) takes the next label from a shared cursor — largest labels
// first, so no thread is left with a big one at the end — and writes its m slots per point into one
// shared output. A label's proposals depend only on the graph (read-only here) and the vectors, so the
// result is the same for any thread count.
import { RingannError } from "../errors.ts";
import type { Metric, Vectors, VectorType } from "../format/vector-type.ts";
import { allocVectors } from "../format/vector-type.ts";
import type { NativeKernels } from "../math/native-kernels.ts";
import { workerEntry } from "../runtime/worker-entry.ts";
import { LabelProposer } from "./label-proposals.ts";
import type { SharedGraph } from "./shared-graph.ts";
import type { SharedBuildData } from "./worker-protocol.ts";

/** Labels to propose for: job j covers members[jobs[3j] .. jobs[3j+1]) and writes from out[jobs[3j+2]]. */
export interface ProposalJobs {
  /** The labels' points, concatenated. */
  readonly members: Uint32Array;
  readonly jobs: Uint32Array;
  /** m slots per point of every job (NO_PROPOSAL where fewer). */
  readonly out: Uint32Array;
}

export interface ProposalSettings {
  readonly alpha: number;
  readonly perPoint: number;
  readonly exactMaxPoints: number;
  readonly maxCandidates: number;
}

export interface ProposalWorkerInit extends SharedBuildData {
  readonly members: SharedArrayBuffer;
  readonly jobs: SharedArrayBuffer;
  readonly out: SharedArrayBuffer;
  /** Int32 [next job]. */
  readonly cursor: SharedArrayBuffer;
  readonly settings: ProposalSettings;
  readonly useNative: boolean;
}

export type ProposalWorkerReply = { readonly kind: "done" } | { readonly kind: "error"; readonly message: string };

/** Shared job arrays for `labels` (each a sorted point list), largest first. */
export function makeProposalJobs(labels: readonly Uint32Array[], perPoint: number): ProposalJobs {
  const order = labels.map((_, i) => i).sort((a, b) => labels[b]!.length - labels[a]!.length);
  let points = 0;
  for (const l of labels) points += l.length;
  const members = new Uint32Array(new SharedArrayBuffer(Math.max(1, points) * 4));
  const jobs = new Uint32Array(new SharedArrayBuffer(Math.max(1, labels.length) * 12));
  let at = 0;
  for (let j = 0; j < order.length; j++) {
    const l = labels[order[j]!]!;
    members.set(l, at);
    jobs[3 * j] = at;
    jobs[3 * j + 1] = at + l.length;
    jobs[3 * j + 2] = at * perPoint;
    at += l.length;
  }
  const out = new Uint32Array(new SharedArrayBuffer(Math.max(1, points * perPoint) * 4));
  // Views of the exact lengths (the buffers are never empty).
  return {
    members: members.subarray(0, points),
    jobs: jobs.subarray(0, 3 * labels.length),
    out: out.subarray(0, points * perPoint),
  };
}

/** Runs every job from `cursor` on; returns when none is left. */
export function runProposalJobs(proposer: LabelProposer, jobs: ProposalJobs, cursor: Int32Array): void {
  const count = jobs.jobs.length / 3;
  for (;;) {
    const j = Atomics.add(cursor, 0, 1);
    if (j >= count) return;
    const from = jobs.jobs[3 * j]!;
    const to = jobs.jobs[3 * j + 1]!;
    proposer.propose(jobs.members.subarray(from, to), jobs.out, jobs.jobs[3 * j + 2]!);
  }
}

export interface ProposeOptions {
  readonly graph: SharedGraph;
  readonly vectors: Vectors;
  readonly dim: number;
  readonly type: VectorType;
  readonly metric: Metric;
  readonly kernels: NativeKernels | null;
  readonly settings: ProposalSettings;
  readonly threads: number;
  readonly signal?: AbortSignal;
}

/** Fills jobs.out, on the calling thread (threads 1) or in `threads` Workers. */
export async function proposeAll(jobs: ProposalJobs, opts: ProposeOptions): Promise<void> {
  const cursor = new Int32Array(new SharedArrayBuffer(4));
  const count = jobs.jobs.length / 3;
  if (count === 0) return;
  const threads = Math.max(1, Math.min(opts.threads, count));
  if (threads === 1) {
    const proposer = new LabelProposer(opts.graph, { ...opts, ...opts.settings });
    runProposalJobs(proposer, jobs, cursor);
    return;
  }
  const vectors = toShared(opts.vectors, opts.type);
  const init: ProposalWorkerInit = {
    vectors: vectors.buffer as SharedArrayBuffer,
    vectorsByteOffset: vectors.byteOffset,
    type: opts.type,
    npts: opts.graph.npts,
    dim: opts.dim,
    metric: opts.metric,
    graph: opts.graph.buffers,
    members: jobs.members.buffer as SharedArrayBuffer,
    jobs: jobs.jobs.buffer as SharedArrayBuffer,
    out: jobs.out.buffer as SharedArrayBuffer,
    cursor: cursor.buffer as SharedArrayBuffer,
    settings: opts.settings,
    useNative: opts.kernels !== null,
  };
  const workers: Worker[] = [];
  // Aborting moves the cursor past the end: every Worker stops after its current label.
  const onAbort = (): void => {
    Atomics.store(cursor, 0, count);
  };
  opts.signal?.addEventListener("abort", onAbort);
  try {
    await Promise.all(
      Array.from({ length: threads }, () => {
        const w = new Worker(workerEntry("build/label-proposal-worker.ts", import.meta.url));
        workers.push(w);
        return new Promise<void>((resolve, reject) => {
          w.onmessage = (e: MessageEvent<ProposalWorkerReply>) => {
            if (e.data.kind === "error")
              reject(new RingannError("E_BUILD_WORKER", `A label proposal worker failed: ${e.data.message}`));
            else resolve();
          };
          w.onerror = (e) =>
            reject(new RingannError("E_BUILD_WORKER", `A label proposal worker crashed: ${e.message}`));
          w.postMessage(init);
        });
      }),
    );
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    for (const w of workers) w.terminate();
  }
  opts.signal?.throwIfAborted();
}

function toShared(vectors: Vectors, type: VectorType): Vectors {
  if (vectors.buffer instanceof SharedArrayBuffer) return vectors;
  const copy = allocVectors(type, vectors.length, true);
  copy.set(vectors);
  return copy;
}
