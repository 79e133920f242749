// Asynchronous queries on one index's ring: `await index.query(vector, options)`.
//   const r = await index.query(q, { k: 10, L: 50, mode: "pipe" });   // ids, distances, stats, queuedUs
// Up to `index.concurrency` queries per mode run at once, interleaved on the index's one ring (one
// QueryMachine each, as SearchDriver.runInterleaved does); more wait in a FIFO queue of at most
// `maxQueued`, beyond which query() rejects with QueryRejectedError("queue-full").
//
// How it meets the event loop: a pump runs the machines in slices of at most `sliceMs` (default 1 ms)
// of work, then yields with setImmediate so sockets, timers and new requests get their turn. Inside a
// slice, when every running query waits for a read, the pump blocks in io_uring_enter for the first
// completion ("block", the default) — so one slice can run over by one read's latency (~0.1–1 ms on
// this disk). "yield" never blocks: it returns to the event loop and polls again on the next turn,
// which keeps the loop free but spins a core while reads fly. bench/serve-async.ts measures both
// (longest event-loop stall and throughput) — see docs/benchmarks.md, issue 11.
// A query's reads are driven by their completions, routed by the index's SearchDriver (collect / block:
// each completion to the machine that owns its slot, under the index's submit policy) — one routing
// for synchronous and asynchronous search.
// Deadlines: `deadlineMs` per query; a query still queued or running at its deadline is stopped (its
// reads abandoned, released when they complete) and rejects with QueryRejectedError("deadline").
import { QueryRejectedError, RingannError } from "../errors.ts";
import type { Vectors } from "../format/vector-type.ts";
import type { DiskIndex, SearchMode, SearchOptions, SearchResult } from "./disk-index.ts";
import { JobFifo } from "./job-fifo.ts";
import { Done, type Progress, type QueryMachine, Ready, type SearchParams } from "./machine.ts";

const now = (): number => performance.now();

export interface AsyncQueryOptions extends SearchOptions {
  /** Give up after this many milliseconds from the call (queued or running). Default: no deadline. */
  deadlineMs?: number;
}

export interface AsyncSearchResult extends SearchResult {
  /** Microseconds the query waited in the queue before a machine took it. */
  queuedUs: number;
}

export type AsyncWaitMode = "block" | "yield";

export interface SchedulerOptions {
  /** Most queries waiting for a machine (default 1024). */
  maxQueued?: number;
  /** Longest run of search work before yielding to the event loop, in ms (default 1). */
  sliceMs?: number;
  /** What a slice does when every query waits for a read (default "block"; see the header). */
  waitMode?: AsyncWaitMode;
}

interface Job {
  query: Vectors;
  offset: number;
  params: SearchParams & { mode: SearchMode };
  calledAt: number;
  /** Set when a machine takes the query: the time it waited, ms. */
  queuedMs: number;
  deadlineAt: number;
  resolve: (r: AsyncSearchResult) => void;
  reject: (e: Error) => void;
}

export class QueryScheduler {
  readonly index: DiskIndex;
  maxQueued: number;
  sliceMs: number;
  waitMode: AsyncWaitMode;
  /** Slices run and the longest one (ms): what the event loop waited for the search at most. */
  slices = 0;
  longestSliceMs = 0;
  private readonly jobs: (Job | null)[];
  private readonly free: Record<SearchMode, number[]>;
  private readonly queue = new JobFifo<Job>();
  private activeCount = 0;
  private scheduled = false;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  private readonly pumpBound = (): void => this.pump();
  /**
   * Called at the top of every round of the pump: a search Worker takes the queries handed to it
   * through shared memory here, so a freed machine starts the next one without an event-loop turn.
   */
  intake: (() => void) | null = null;

  constructor(index: DiskIndex, opts: SchedulerOptions = {}) {
    this.index = index;
    this.maxQueued = opts.maxQueued ?? 1024;
    this.sliceMs = opts.sliceMs ?? 1;
    this.waitMode = opts.waitMode ?? "block";
    this.jobs = new Array<Job | null>(index.machines.length).fill(null);
    this.free = {
      beam: index.machinesFor("beam").map((m) => m.owner),
      pipe: index.machinesFor("pipe").map((m) => m.owner),
    };
  }

  /** Queries running on machines now. */
  get running(): number {
    return this.activeCount;
  }

  /** Queries waiting for a machine. */
  get queued(): number {
    return this.queue.length;
  }

  /** Starts one query; settles with its answer or a ConfigError / QueryRejectedError / read error. */
  query(vector: Vectors, opts: AsyncQueryOptions = {}, offset = 0): Promise<AsyncSearchResult> {
    return new Promise<AsyncSearchResult>((resolve, reject) => this.enqueue(vector, opts, offset, resolve, reject));
  }

  /**
   * query() without the promise: exactly one of `resolve` / `reject` is called — synchronously for
   * a refusal, otherwise from the pump as the query ends (before the slice yields). A search Worker
   * that answers through shared memory uses this, so an answer leaves as soon as it exists.
   */
  enqueue(
    vector: Vectors,
    opts: AsyncQueryOptions,
    offset: number,
    resolve: (r: AsyncSearchResult) => void,
    reject: (e: Error) => void,
  ): void {
    const calledAt = now();
    if (this.closing) {
      reject(new QueryRejectedError("closed", `Cannot query ${this.index.prefix}: the index is closing`));
      return;
    }
    let params: SearchParams & { mode: SearchMode };
    try {
      params = checkQuery(this.index, vector, opts, offset);
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const deadlineMs = opts.deadlineMs ?? Infinity;
    const job: Job = {
      query: vector,
      offset,
      params,
      calledAt,
      queuedMs: 0,
      deadlineAt: calledAt + deadlineMs,
      resolve,
      reject,
    };
    const free = this.free[params.mode];
    if (free.length > 0) {
      this.start(free.pop()!, job, calledAt);
    } else if (this.queued >= this.maxQueued) {
      reject(queueFullError(this.index.prefix, this.queued, this.maxQueued));
      return;
    } else {
      // The caller may reuse its buffer once query() returns: a queued query keeps its own copy.
      job.query = new Float32Array(vector.subarray(offset, offset + this.index.dim));
      job.offset = 0;
      this.queue.push(job);
    }
    this.schedule();
  }

  /** Resolves once no query is running or queued (new ones may still arrive unless closing). */
  idle(): Promise<void> {
    if (this.activeCount === 0 && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuses new queries; resolves when the running and queued ones have finished. */
  drain(): Promise<void> {
    this.closing = true;
    return this.idle();
  }

  /** Stops every running and queued query now (they reject with "closed"); for DiskIndex.close(). */
  abortAll(): void {
    this.closing = true;
    const t = now();
    const err = (): Error =>
      new QueryRejectedError("closed", `Cannot query ${this.index.prefix}: the index was closed`);
    for (let owner = 0; owner < this.jobs.length; owner++) {
      const job = this.jobs[owner];
      if (job === null || job === undefined) continue;
      this.index.machines[owner]!.finish(t);
      this.release(owner);
      job.reject(err());
    }
    for (const job of this.queue.takeAll()) job.reject(err());
    this.notifyIdle();
  }

  private start(owner: number, job: Job, t: number): void {
    this.jobs[owner] = job;
    this.activeCount++;
    job.queuedMs = t - job.calledAt;
    this.index.machines[owner]!.begin(job.query, job.offset, job.params, t);
  }

  private release(owner: number): void {
    const job = this.jobs[owner]!;
    this.jobs[owner] = null;
    this.activeCount--;
    this.free[job.params.mode].push(owner);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.pumpBound);
  }

  /** Hands queued queries to free machines (oldest first); expired ones reject. */
  private startQueued(t: number): void {
    for (let job = this.queue.peek(); job !== undefined; job = this.queue.peek()) {
      if (job.deadlineAt <= t) {
        this.queue.shift();
        job.reject(deadlineError(this.index.prefix));
        continue;
      }
      const free = this.free[job.params.mode];
      if (free.length === 0) break; // FIFO per index: the head waits for its mode's machine
      this.queue.shift();
      this.start(free.pop()!, job, t);
    }
  }

  private pump(): void {
    this.scheduled = false;
    const t0 = now();
    const end = t0 + this.sliceMs;
    const machines = this.index.machines;
    const intake = this.intake;
    for (;;) {
      if (intake !== null) intake();
      let t = now();
      this.startQueued(t);
      if (this.activeCount === 0) break;
      let anyReady = false;
      let minWait = Infinity;
      for (let owner = 0; owner < machines.length; owner++) {
        const job = this.jobs[owner];
        if (job === null || job === undefined) continue;
        const m = machines[owner]!;
        if (job.deadlineAt <= t) {
          m.finish(t);
          this.release(owner);
          job.reject(deadlineError(this.index.prefix));
          continue;
        }
        let p: Progress;
        try {
          p = m.step(t);
        } catch (err) {
          if (!m.done) m.finish(now());
          this.release(owner);
          job.reject(err instanceof Error ? err : new Error(String(err)));
          continue;
        }
        if (p === Done) {
          this.complete(owner, m, job);
          anyReady = true; // its machine may take a queued query at once
        } else if (p === Ready) anyReady = true;
        else minWait = Math.min(minWait, m.waitingFor());
        t = now();
      }
      if (this.activeCount === 0 && this.queued === 0) break;
      const driver = this.index.driver;
      const reader = this.index.source.reader;
      if (anyReady || reader.inFlight === 0) {
        driver.collect(); // as the driver does between steps: the submit policy decides whether this enters the kernel
      } else if (this.waitMode === "block" && t < end) {
        this.waitAndRoute(Math.min(minWait === Infinity ? 1 : minWait, reader.inFlight));
      } else if (driver.collect(true) === 0 && this.waitMode === "yield") {
        break; // nothing arrived: let the event loop run, poll again next turn
      }
      if (now() >= end) break;
    }
    // Reads a batch policy kept queued go now: the event loop's turn must not leave the device idle.
    if (this.index.source.reader.unsent > 0) this.index.driver.collect(true);
    const ms = now() - t0;
    this.slices++;
    if (ms > this.longestSliceMs) this.longestSliceMs = ms;
    if (this.activeCount > 0 || this.queued > 0) this.schedule();
    else this.notifyIdle();
  }

  private complete(owner: number, m: QueryMachine, job: Job): void {
    this.release(owner);
    if (m.error !== null) {
      job.reject(m.error);
      return;
    }
    const k = job.params.k;
    const ids = new Uint32Array(k);
    const distances = new Float32Array(k);
    const n = m.topK(k, ids, distances, 0);
    job.resolve({
      ids: ids.subarray(0, n),
      distances: distances.subarray(0, n),
      stats: m.stats.clone(),
      queuedUs: job.queuedMs * 1000,
    });
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Blocks for `min` completions (the index's driver routes them) and charges the wait to every running query. */
  private waitAndRoute(min: number): void {
    const us = this.index.driver.block(min);
    for (let owner = 0; owner < this.jobs.length; owner++)
      if (this.jobs[owner]) this.index.machines[owner]!.addIoWait(us);
  }
}

/** The options resolved against the index's limits, and the vector's length checked; throws otherwise. */
export function checkQuery(
  index: DiskIndex,
  vector: Vectors,
  opts: AsyncQueryOptions,
  offset: number,
): SearchParams & { mode: SearchMode } {
  const params = index.resolve(opts);
  const dim = index.dim;
  if (vector.length - offset < dim) {
    throw new RingannError(
      "E_DIMENSION",
      `Cannot query ${index.prefix}: expected ${dim} values from offset ${offset}, got ${vector.length - offset}`,
    );
  }
  return params;
}

export function queueFullError(prefix: string, queued: number, limit: number): QueryRejectedError {
  return new QueryRejectedError(
    "queue-full",
    `Cannot query ${prefix}: ${queued} queries already queued (limit ${limit})`,
  );
}

export function deadlineError(prefix: string): QueryRejectedError {
  return new QueryRejectedError(
    "deadline",
    `Cannot query ${prefix}: the deadline passed before the answer (deadlineMs exceeded)`,
  );
}
