// A pool of N search Workers ("threads: N"). Each Worker opens its own ring and scratch; the index
// parts, the queries and the result arrays are SharedArrayBuffers (one copy whatever N). A run
// resets the shared query counter, starts every Worker, and resolves when all are done, with the
// wall time from the first start to the last finish (QPS = queries / wall time).
import { RingannError, isErrorCode } from "../../errors.ts";
import type { SubmitPolicy } from "../../search/driver.ts";
import type { WaitStrategy } from "../config/config-schema.ts";
import type { FromWorker, InitMessage, RunCombo, RunMessage, SharedResults, WorkerSetup } from "./pool-protocol.ts";
import { workerEntry } from "../../runtime/worker-entry.ts";
import { allowedCpus, availableCores } from "./os-thread.ts";
import { yieldRuntimeThreads } from "./runtime-threads.ts";
import { effectiveWait } from "./wait-strategy.ts";
import { runThreadStats, sampleProcessThreads, type RunThreadStats } from "./thread-stats.ts";

export interface PoolOptions extends WorkerSetup {
  readonly threads: number;
  /** Pin Worker i to the i-th CPU this process may use (default false: the kernel places them). */
  readonly pin?: boolean;
}

export interface PoolRun {
  /** One combo, or several that every query runs through in turn (concurrency 1). */
  readonly combos: readonly RunCombo[];
  readonly concurrency: number;
  readonly count: number;
  /** How Workers wait for reads (default "block"); "spin" becomes "yield" when the Workers fill every core. */
  readonly wait?: WaitStrategy;
}

/** A run's wall time (first start to last end) and its Workers' summed CPU and run-queue times. */
export interface PoolTimes {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly runQueueMs: number;
  /** Per combo, the Workers' summed search time (an interleaved run's per-combo wall time × threads). */
  readonly comboMs: readonly number[];
  /** Scheduler counters of every thread of the process over the run (Workers, main, JIT, GC, other). */
  readonly threads: RunThreadStats;
  /** How the Workers waited (the requested strategy, or "yield" for "spin" on too few cores). */
  readonly wait: WaitStrategy;
}

type Waiter = { resolve: (msg: FromWorker) => void; reject: (err: Error) => void };

const live = new Set<SearchPool>();

/** Stops every pool's Workers at once (Ctrl-C). */
export async function terminateAllPools(): Promise<void> {
  for (const pool of [...live]) pool.terminate();
}

export class SearchPool {
  readonly threads: number;
  /** The I/O backend the Workers' readers use. */
  backend = "";
  /** The submit policy the (first) Worker chose at open (each measures its own ring). */
  submit: SubmitPolicy = "eager";
  /** Every Worker is pinned to its CPU (asked for, and the system agreed). */
  pinned = false;
  /** The Workers' kernel thread ids (-1 where unknown), in Worker order. */
  readonly workerTids: number[] = [];
  private readonly workers: Worker[] = [];
  private readonly waiters: (Waiter | null)[] = [];
  private readonly results: SharedResults;
  private runCount = 0;
  private failure: Error | null = null;

  private constructor(threads: number, results: SharedResults) {
    this.threads = threads;
    this.results = results;
  }

  static async start(opts: PoolOptions): Promise<SearchPool> {
    const { threads, pin, ...setup } = opts;
    const cpus = pin === true ? allowedCpus() : [];
    const pool = new SearchPool(threads, opts.results);
    live.add(pool);
    try {
      const ready: Promise<FromWorker>[] = [];
      for (let w = 0; w < threads; w++) {
        const worker = new Worker(workerEntry("run/exec/search-worker.ts", import.meta.url));
        pool.workers.push(worker);
        pool.waiters.push(null);
        worker.onmessage = (event: MessageEvent<FromWorker>) => pool.receive(w, event.data);
        worker.onerror = (event) =>
          pool.fail(w, new RingannError("E_WORKER", `search worker ${w} crashed: ${event.message}`));
        ready.push(pool.expect(w));
        const init: InitMessage = {
          type: "init",
          worker: w,
          cpu: pin === true ? cpus[w % cpus.length]! : null,
          ...setup,
        };
        worker.postMessage(init);
      }
      const first = await Promise.all(ready);
      for (const m of first) pool.workerTids.push(m.type === "ready" ? m.tid : -1);
      pool.pinned = first.every((m) => m.type === "ready" && m.pinned);
      const r = first[0];
      pool.backend = r !== undefined && r.type === "ready" ? r.backend : "";
      pool.submit = r !== undefined && r.type === "ready" ? r.submit : "eager";
      return pool;
    } catch (err) {
      pool.terminate();
      throw err;
    }
  }

  /** Searches queries [0, count) across the Workers: wall time (first start to last end) and the Workers' CPU time. */
  async run(run: PoolRun): Promise<PoolTimes> {
    const threads = this.threads;
    if (run.combos.length > 1 && run.concurrency !== 1) {
      throw new RingannError("E_INVARIANT", "search pool: interleaved combos run at concurrency 1");
    }
    // One range per Worker when alone; else chunks small enough to balance the tail, large enough
    // that an interleaving Worker rarely runs below its concurrency.
    const chunk = threads === 1 ? run.count : Math.max(4 * run.concurrency, Math.ceil(run.count / (threads * 16)));
    Atomics.store(this.results.counters, 0, 0);
    Atomics.store(this.results.counters, 1, 0);
    const id = ++this.runCount;
    const { wait } = effectiveWait(run.wait ?? "block", threads, availableCores());
    const msg: RunMessage = {
      type: "run",
      run: id,
      combos: run.combos,
      concurrency: run.concurrency,
      wait,
      count: run.count,
      chunk,
    };
    const done = this.workers.map((_, w) => this.expect(w));
    const before = sampleProcessThreads();
    yieldRuntimeThreads(before, this.workerTids);
    for (const worker of this.workers) worker.postMessage(msg);
    const replies = await Promise.all(done);
    const threadStats = runThreadStats(before, sampleProcessThreads(), this.workerTids);
    let startMs = Infinity;
    let endMs = -Infinity;
    let cpuMs = 0;
    let runQueueMs = 0;
    const comboMs = run.combos.map(() => 0);
    for (const r of replies) {
      if (r.type !== "done" || r.run !== id)
        throw new RingannError("E_INVARIANT", `search pool: unexpected reply ${r.type}`);
      startMs = Math.min(startMs, r.startMs);
      endMs = Math.max(endMs, r.endMs);
      cpuMs += r.cpuMs;
      runQueueMs += r.runQueueMs;
      r.comboMs.forEach((ms, c) => {
        comboMs[c]! += ms;
      });
    }
    return { wallMs: endMs - startMs, cpuMs, runQueueMs, comboMs, threads: threadStats, wait };
  }

  /** Searches finished in the current run, over all combos (for progress bars). */
  get finished(): number {
    return Atomics.load(this.results.counters, 1);
  }

  /** Closes every Worker's ring, then stops the Workers. */
  async close(): Promise<void> {
    try {
      const closed = this.workers.map((_, w) => this.expect(w));
      for (const worker of this.workers) worker.postMessage({ type: "close" });
      await Promise.all(closed);
    } finally {
      this.terminate();
    }
  }

  terminate(): void {
    for (const worker of this.workers) worker.terminate();
    live.delete(this);
  }

  private expect(w: number): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters[w] = { resolve, reject };
    });
  }

  private receive(w: number, msg: FromWorker): void {
    if (msg.type === "error") {
      const err = new RingannError(isErrorCode(msg.code) ? msg.code : "E_WORKER", msg.message);
      err.stack = msg.stack;
      this.fail(w, err);
      return;
    }
    const waiter = this.waiters[w];
    this.waiters[w] = null;
    waiter?.resolve(msg);
  }

  /** A Worker failed: every pending wait rejects with that error (the first one wins). */
  private fail(w: number, err: Error): void {
    void w;
    if (this.failure === null) this.failure = err;
    for (let i = 0; i < this.waiters.length; i++) {
      const waiter = this.waiters[i];
      this.waiters[i] = null;
      waiter?.reject(this.failure);
    }
  }
}
