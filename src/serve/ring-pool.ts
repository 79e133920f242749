// The listener's side of the "handoff" dispatch: T search Workers, each with its own ring, fed
// through a RingChannel. query() has QueryScheduler's contract (same refusals, deadlines, answers),
// so ServedIndex uses either. Each Worker gets up to concurrency + min(concurrency, maxQueued)
// queries at once — its machines' worth running and some waiting next to them, so a machine that
// frees never waits for this thread's event loop; beyond that, queries wait here (FIFO) for a free
// slot. At most maxQueued × T queries wait in all (in Workers and here), as with reusePort threads.
import { QueryRejectedError, RingannError } from "../errors.ts";
import type { Vectors } from "../format/vector-type.ts";
import {
  type AsyncQueryOptions,
  type AsyncSearchResult,
  checkQuery,
  deadlineError,
  queueFullError,
} from "../search/async-index.ts";
import type { DiskIndex } from "../search/disk-index.ts";
import type { IndexFiles } from "../search/index-files.ts";
import { JobFifo } from "../search/job-fifo.ts";
import { STAT_COUNT } from "../search/stat-fields.ts";
import { QueryStats } from "../search/stats.ts";
import { workerEntry } from "../runtime/worker-entry.ts";
import { WorkerMailbox } from "../runtime/worker-mailbox.ts";
import {
  P_DEADLINE_MS,
  P_K,
  P_L,
  P_MODE,
  P_WIDTH,
  RingChannel,
  STATUS_DEADLINE,
  STATUS_ERROR,
  STATUS_OK,
  STATUS_QUEUE_FULL,
} from "./ring-channel.ts";
import type { FromRingWorker, ToRingWorker } from "./ring-protocol.ts";
import type { IndexServeConfig } from "./serve-config.ts";

const now = (): number => performance.now();

interface PoolJob {
  query: Vectors;
  offset: number;
  opts: { k: number; L: number; width: number; mode: "beam" | "pipe" };
  calledAt: number;
  deadlineAt: number;
  /** ms spent in this thread's queue before a Worker took it. */
  waitedMs: number;
  resolve: (r: AsyncSearchResult) => void;
  reject: (e: Error) => void;
}

interface RingWorker {
  worker: Worker;
  channel: RingChannel;
  free: number[];
  jobs: (PoolJob | null)[];
  outstanding: number;
  /** Answers read so far (the channel's out-ring position). */
  seen: number;
  armed: boolean;
  /** The Worker failed after it started: its queries were rejected, it takes no more. */
  dead: boolean;
  /** Its control messages (ready / stopped / error). */
  mailbox: WorkerMailbox<FromRingWorker>;
}

export class RingPool {
  /** Validates options and dimensions (the listener's own copy of the index; it runs no k-NN query). */
  readonly index: DiskIndex;
  readonly concurrency: number;
  /** Queries that may wait on this thread (the rest of the limit waits in the Workers). */
  readonly maxQueued: number;
  private readonly rings: RingWorker[];
  private readonly queue = new JobFifo<PoolJob>();
  private closing = false;
  private idleWaiters: (() => void)[] = [];

  private constructor(index: DiskIndex, rings: RingWorker[], concurrency: number, maxQueued: number) {
    this.index = index;
    this.rings = rings;
    this.concurrency = concurrency;
    this.maxQueued = maxQueued;
  }

  /**
   * Starts `threads` search Workers on `config`'s index, given its loaded parts (`files`: the PQ codes
   * in shared memory, so the Workers hold no copy of their own); resolves once every one has opened it.
   */
  static async open(config: IndexServeConfig, threads: number, index: DiskIndex, files: IndexFiles): Promise<RingPool> {
    const C = config.concurrency;
    const waitingInWorker = Math.min(C, config.maxQueued);
    const rings: RingWorker[] = [];
    const pool = new RingPool(index, rings, C, (config.maxQueued - waitingInWorker) * threads);
    try {
      for (let t = 0; t < threads; t++) {
        const channel = RingChannel.create({ slots: C + waitingInWorker, dim: index.dim, maxK: config.limits.maxK });
        const worker = new Worker(workerEntry("serve/ring-worker.ts", import.meta.url));
        // An error after start-up (the Worker's loop threw, or the thread died) fails its queries at
        // once rather than leaving their requests to the deadline.
        let started = false;
        const mailbox = new WorkerMailbox<FromRingWorker>(
          worker,
          (message) => ({ type: "error", message }),
          (m) => {
            if (m.type === "error" && started && !ring.dead) pool.fail(ring, m.message);
          },
        );
        const ring: RingWorker = {
          worker,
          channel,
          free: Array.from({ length: channel.slots }, (_, i) => channel.slots - 1 - i),
          jobs: new Array<PoolJob | null>(channel.slots).fill(null),
          outstanding: 0,
          seen: 0,
          armed: false,
          dead: false,
          mailbox,
        };
        rings.push(ring);
        worker.postMessage({ type: "start", index: config, files, channel: channel.buffers } satisfies ToRingWorker);
        const m = await ring.mailbox.next();
        started = true;
        if (m.type !== "ready")
          throw new RingannError(
            "E_IO",
            `search Worker ${t} of ${config.name}: ${m.type === "error" ? m.message : "stopped at start"}`,
          );
      }
    } catch (err) {
      for (const r of rings) r.worker.terminate();
      throw err;
    }
    return pool;
  }

  /** Queries handed to Workers and running on their machines (at most concurrency per Worker). */
  get running(): number {
    let n = 0;
    for (const r of this.rings) n += Math.min(r.outstanding, this.concurrency);
    return n;
  }

  /** The limit a refusal names: every query that may wait, here and in the Workers. */
  private get queueLimit(): number {
    let n = this.maxQueued;
    for (const r of this.rings) n += r.channel.slots - this.concurrency;
    return n;
  }

  /** Queries waiting: here, and in Workers beyond their machines. */
  get queued(): number {
    let n = this.queue.length;
    for (const r of this.rings) n += Math.max(0, r.outstanding - this.concurrency);
    return n;
  }

  query(vector: Vectors, opts: AsyncQueryOptions = {}, offset = 0): Promise<AsyncSearchResult> {
    return new Promise<AsyncSearchResult>((resolve, reject) => {
      const calledAt = now();
      const prefix = this.index.prefix;
      if (this.closing) {
        reject(new QueryRejectedError("closed", `Cannot query ${prefix}: the index is closing`));
        return;
      }
      const dim = this.index.dim;
      try {
        const p = checkQuery(this.index, vector, opts, offset);
        const maxK = this.rings[0]!.channel.maxK;
        if (p.k > maxK) throw new RingannError("E_CONFIG", `Cannot query ${prefix}: k ${p.k} is above max_k ${maxK}`);
        const job: PoolJob = {
          query: vector,
          offset,
          opts: { k: p.k, L: p.L, width: p.width, mode: p.mode },
          calledAt,
          deadlineAt: calledAt + (opts.deadlineMs ?? Infinity),
          waitedMs: 0,
          resolve,
          reject,
        };
        const ring = this.leastLoaded();
        if (ring !== null) this.hand(ring, job, calledAt);
        else if (this.queue.length >= this.maxQueued) {
          reject(queueFullError(prefix, this.queued, this.queueLimit));
        } else {
          // The caller may reuse its buffer once query() returns: a queued query keeps its own copy.
          job.query = new Float32Array(vector.subarray(offset, offset + dim));
          job.offset = 0;
          this.queue.push(job);
        }
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Resolves once nothing is running or queued. */
  idle(): Promise<void> {
    if (this.busy()) return new Promise((resolve) => this.idleWaiters.push(resolve));
    return Promise.resolve();
  }

  /** Refuses new queries, lets the handed-over and queued ones finish, stops the Workers. */
  async drain(): Promise<void> {
    this.closing = true;
    await this.idle();
    await Promise.all(
      this.rings.map(async (r) => {
        if (r.dead) {
          r.worker.terminate();
          return;
        }
        r.channel.requestStop();
        const m = await r.mailbox.next();
        r.worker.terminate();
        if (m.type === "error") throw new RingannError("E_IO", `search Worker: ${m.message}`);
      }),
    );
  }

  /** Rejects every query a failed Worker held; it gets no more (with none left, queries get 503). */
  private fail(r: RingWorker, message: string): void {
    r.dead = true;
    r.free = [];
    for (let slot = 0; slot < r.jobs.length; slot++) {
      const job = r.jobs[slot];
      if (job === null || job === undefined) continue;
      r.jobs[slot] = null;
      job.reject(new RingannError("E_IO", `Cannot query ${this.index.prefix}: its search Worker failed: ${message}`));
    }
    r.outstanding = 0;
    if (this.rings.every((x) => x.dead)) {
      this.closing = true;
      const err = new QueryRejectedError("closed", `Cannot query ${this.index.prefix}: every search Worker failed`);
      for (const job of this.queue.takeAll()) job.reject(err);
    }
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0 || this.busy()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private busy(): boolean {
    if (this.queue.length > 0) return true;
    for (const r of this.rings) if (r.outstanding > 0) return true;
    return false;
  }

  /** The Worker with the most free slots (null: all full). */
  private leastLoaded(): RingWorker | null {
    let best: RingWorker | null = null;
    for (const r of this.rings) if (r.free.length > 0 && (best === null || r.free.length > best.free.length)) best = r;
    return best;
  }

  private hand(r: RingWorker, job: PoolJob, t: number): void {
    const ch = r.channel;
    const slot = r.free.pop()!;
    job.waitedMs = t - job.calledAt;
    ch.queries.set(job.query.subarray(job.offset, job.offset + ch.dim), slot * ch.dim);
    ch.setParam(slot, P_K, job.opts.k);
    ch.setParam(slot, P_L, job.opts.L);
    ch.setParam(slot, P_WIDTH, job.opts.width);
    ch.setParam(slot, P_MODE, job.opts.mode === "beam" ? 0 : 1);
    ch.setParam(slot, P_DEADLINE_MS, job.deadlineAt - t);
    r.jobs[slot] = job;
    r.outstanding++;
    ch.pushIn(slot);
    this.arm(r);
  }

  /** Makes sure this thread hears of r's next answer. */
  private arm(r: RingWorker): void {
    if (r.armed || r.outstanding === 0) return;
    const woke = r.channel.waitOut(r.seen);
    if (woke === null) {
      this.collect(r);
      return;
    }
    r.armed = true;
    woke.then(() => {
      r.armed = false;
      this.collect(r);
    });
  }

  /** Settles every answer r has published, refills its slots from the queue, re-arms. */
  private collect(r: RingWorker): void {
    if (r.dead) return; // its queries were failed already
    const ch = r.channel;
    const tail = ch.outTail;
    while (r.seen < tail) {
      const slot = ch.outAt(r.seen++);
      const job = r.jobs[slot]!;
      r.jobs[slot] = null;
      r.outstanding--;
      const status = ch.outcome[slot * 2]!;
      if (status === STATUS_OK) {
        const n = ch.outcome[slot * 2 + 1]!;
        const at = slot * ch.maxK;
        const a = ch.answerAt(slot);
        const result: AsyncSearchResult = {
          ids: ch.ids.slice(at, at + n),
          distances: ch.distances.slice(at, at + n),
          stats: new QueryStats().readFrom(ch.answer, a),
          queuedUs: job.waitedMs * 1000 + ch.answer[a + STAT_COUNT]!,
        };
        r.free.push(slot);
        job.resolve(result);
      } else {
        const message = status === STATUS_ERROR ? ch.readError(slot) : "";
        r.free.push(slot);
        job.reject(this.failure(status, message));
      }
    }
    this.refill();
    this.arm(r);
    this.notifyIdle();
  }

  /** Hands queued queries to Workers with free slots (oldest first); expired ones reject. */
  private refill(): void {
    const t = now();
    for (let job = this.queue.peek(); job !== undefined; job = this.queue.peek()) {
      if (job.deadlineAt <= t) {
        this.queue.shift();
        job.reject(deadlineError(this.index.prefix));
        continue;
      }
      const ring = this.leastLoaded();
      if (ring === null) break;
      this.queue.shift();
      this.hand(ring, job, t);
    }
  }

  private failure(status: number, message: string): Error {
    const prefix = this.index.prefix;
    if (status === STATUS_DEADLINE) return deadlineError(prefix);
    if (status === STATUS_QUEUE_FULL)
      return new QueryRejectedError("queue-full", `Cannot query ${prefix}: the search thread's queue is full`);
    if (message === "") return new QueryRejectedError("closed", `Cannot query ${prefix}: the index was closed`);
    const nl = message.indexOf("\n");
    const e = new Error(`Cannot query ${prefix}: ${message.slice(nl + 1)}`);
    (e as { code?: string }).code = message.slice(0, nl);
    return e;
  }
}
