// Drivers advance query machines over one NodeSource (one reader, one ring). They own the only
// loop that talks to the reader: poll or wait, then route each completion to its query by the
// source's slotOwner/slotNode tables (reads of finished queries are released), then step().
//   run(m, …)            one query at a time (concurrency 1): what DiskIndex.search uses.
//   runInterleaved(…)    C machines sharing the ring, each running its own query; a completion
//                        wakes only the machine that owns it.
// Waiting: `spin` polls the completion queue in a loop (lowest latency, burns the core; what
// PipeANN does without SQPOLL); otherwise the driver blocks in the kernel (io_uring_enter).
// A spin poll with nothing queued is no system call, only a look at the completion ring. (Spinning
// once exposed reap arrays that moved under their FFI pointers; they now live in C-owned memory —
// see src/io/native-block.ts and bench/search-ffi-jit-repro.ts.)
// Submitting (SubmitPolicy, chosen per machine at DiskIndex.open: submit-policy.ts):
//   "eager"  every Ready step is followed by a poll, which hands the read just chosen to the kernel
//            (one system call) so the device works while the CPU expands — best where a system call
//            is cheap next to a read (bare-metal NVMe);
//   "batch"  reads stay queued while a query can still progress and go with the next wait, in the
//            same io_uring_enter — unless the device has nothing in flight, when they go at once. A
//            Ready step only peeks at the completion ring (no system call). Best where every
//            submission is a VM exit (virtio disks).
// A wait whose completions are already in the ring makes no system call either (c/uring.c).
// Bench: bench/search.ts
import { RingannError, invariant } from "../errors.ts";
import type { Vectors } from "../format/vector-type.ts";
import { IoCounter, ReadCompletions } from "../io/reader.ts";
import { Blocked, Done, type Progress, type QueryMachine, Ready, type SearchParams } from "./machine.ts";
import { ABANDONED, type NodeSource } from "./node-source.ts";

const now = (): number => performance.now();

export type SubmitPolicy = "eager" | "batch";

export interface DriverOptions {
  /** Poll in a loop instead of blocking in the kernel while every query waits (default false). */
  spin?: boolean;
  /** When chosen reads go to the kernel (see the header; default "eager"). */
  submit?: SubmitPolicy;
}

export class SearchDriver {
  readonly source: NodeSource;
  readonly machines: readonly QueryMachine[];
  spin: boolean;
  submit: SubmitPolicy;
  /** Called between empty spin polls, e.g. sched_yield so a spinning Worker gives way (default none). */
  idlePoll: (() => void) | null = null;
  private readonly out: ReadCompletions;
  private readonly counters: Float64Array;

  constructor(source: NodeSource, machines: readonly QueryMachine[], opts: DriverOptions = {}) {
    this.source = source;
    this.machines = machines;
    this.spin = opts.spin ?? false;
    this.submit = opts.submit ?? "eager";
    this.counters = source.reader.counters;
    for (let i = 0; i < machines.length; i++)
      invariant(machines[i]!.owner === i, `machine ${i} has owner ${machines[i]!.owner}`);
    this.out = new ReadCompletions(source.reader.slotCount);
  }

  /** Runs one query to its answer on machine `m`. Throws the query's error (read or format). */
  run(m: QueryMachine, query: Vectors, queryOffset: number, params: SearchParams): void {
    const calls0 = this.counters[IoCounter.Calls]!;
    m.begin(query, queryOffset, params, now());
    let progress: Progress = Ready;
    try {
      for (;;) {
        if (progress === Blocked) this.waitFor(m.waitingFor(), m);
        else this.collect();
        progress = m.step(now());
        if (progress === Done) break;
      }
      m.stats.ioCalls = this.counters[IoCounter.Calls]! - calls0;
    } catch (err) {
      if (!m.done) {
        if (m.error === null && err instanceof Error) m.error = err;
        m.finish(now());
      }
      throw err;
    }
    if (m.error !== null) throw m.error;
  }

  /**
   * Runs queries 0..count-1 (row q of `queries` at q * dim) on the machines `use` (a subset of this
   * driver's, e.g. the pipe machines) at once; onDone(q, m) is called as each finishes (read the
   * answer from m before returning). Queries start in order; each machine runs one at a time.
   * A query that fails (a failed read, a corrupt record) throws its error and stops the others —
   * unless onFailed is given: then that query alone ends with onFailed(q, m, error) and the rest run on.
   */
  runInterleaved(
    use: readonly QueryMachine[],
    queries: Vectors,
    dim: number,
    count: number,
    params: SearchParams,
    onDone: (q: number, m: QueryMachine) => void,
    onFailed?: (q: number, m: QueryMachine, error: Error) => void,
  ): void {
    const ms = use;
    const C = ms.length;
    for (const m of ms) invariant(this.machines[m.owner] === m, `machine ${m.owner} does not belong to this driver`);
    const queryOf = new Int32Array(C).fill(-1);
    let next = 0;
    let active = 0;
    const start = (i: number): void => {
      if (next >= count) return;
      queryOf[i] = next;
      ms[i]!.begin(queries, next * dim, params, now());
      next++;
      active++;
    };
    for (let i = 0; i < C; i++) start(i);
    const counters = this.counters;
    try {
      while (active > 0) {
        const calls0 = counters[IoCounter.Calls]!;
        let anyReady = false;
        let minWait = Infinity;
        for (let i = 0; i < C; i++) {
          if (queryOf[i]! < 0) continue;
          const m = ms[i]!;
          const p = onFailed === undefined ? m.step(now()) : this.stepOrFail(m);
          if (p === Done) {
            if (m.error !== null && onFailed === undefined) throw m.error;
            const q = queryOf[i]!;
            queryOf[i] = -1;
            active--;
            if (m.error !== null) onFailed!(q, m, m.error);
            else onDone(q, m);
            start(i);
            if (queryOf[i]! >= 0) anyReady = true;
          } else {
            if (p === Ready) anyReady = true;
            else minWait = Math.min(minWait, m.waitingFor());
          }
        }
        if (active === 0) break;
        if (anyReady) this.collect();
        else this.waitFor(minWait === Infinity ? 1 : minWait, null, ms, queryOf);
        const calls = counters[IoCounter.Calls]! - calls0;
        if (calls > 0) {
          // Split the calls of this loop among the queries that were running.
          let running = 0;
          for (let i = 0; i < C; i++) if (queryOf[i]! >= 0) running++;
          for (let i = 0; i < C; i++) if (queryOf[i]! >= 0) ms[i]!.stats.ioCalls += calls / running;
        }
      }
    } catch (err) {
      for (let i = 0; i < C; i++) {
        const m = ms[i]!;
        if (queryOf[i]! >= 0 && !m.done) m.finish(now());
      }
      throw err;
    }
  }

  /** step(), but an error thrown by the query's own work (a corrupt record) ends only that query. */
  private stepOrFail(m: QueryMachine): Progress {
    try {
      return m.step(now());
    } catch (err) {
      if (!(err instanceof Error) || (err instanceof RingannError && err.code === "E_INVARIANT")) throw err;
      if (m.error === null) m.error = err;
      m.finish(now());
      return Done;
    }
  }

  /** Releases every abandoned read still in flight (before closing, or between phases). */
  drain(): void {
    const reader = this.source.reader;
    while (reader.inFlight > 0) this.route(reader.wait(1, this.out), now());
  }

  /**
   * Between steps: eager hands queued reads over and collects completions; batch only collects
   * (no system call), unless nothing is in the kernel — then the device would idle, so they go now.
   * `flush`: send whatever is queued and enter the kernel for what is ready, whatever the policy (a
   * caller about to stop driving for a while, e.g. the async scheduler yielding to the event loop).
   * Routes what arrived; returns how many completions that was.
   */
  collect(flush = false): number {
    const reader = this.source.reader;
    const unsent = reader.unsent;
    // Nothing to send: only look at the ring (a poll on a ring with deferred task work would enter the
    // kernel just to post completions; the next wait does that anyway).
    const send = flush || (unsent > 0 && (this.submit === "eager" || reader.inFlight === unsent));
    const n = send ? reader.poll(this.out) : reader.peek(this.out);
    this.route(n, now());
    return n;
  }

  /** Blocks (or spins) until at least `min` completions, routes them; returns the µs waited. */
  block(min: number): number {
    const reader = this.source.reader;
    const want = Math.min(min, reader.inFlight);
    const t0 = now();
    let n: number;
    if (this.spin) {
      const idle = this.idlePoll;
      for (;;) {
        n = reader.poll(this.out);
        if (n > 0) break;
        if (idle !== null) idle();
      }
    } else {
      n = reader.wait(want, this.out);
    }
    const t1 = now();
    this.route(n, t1);
    return (t1 - t0) * 1000;
  }

  /**
   * Blocks (or spins) until at least `min` completions, charges the time to the waiting machine(s)
   * and routes what arrived.
   */
  private waitFor(min: number, only: QueryMachine | null, group?: readonly QueryMachine[], queryOf?: Int32Array): void {
    const reader = this.source.reader;
    if (reader.inFlight === 0) {
      throw new RingannError(
        "E_INVARIANT",
        "ringann invariant violated: every query waits for a read but none is in flight (read slots exhausted?)",
      );
    }
    // Completions are routed inside block() before the wait is charged: a machine's onRead sees the
    // time of arrival either way, and addIoWait only adds to its statistics.
    const us = this.block(min);
    if (only !== null) only.addIoWait(us);
    else if (group !== undefined && queryOf !== undefined) {
      for (let i = 0; i < group.length; i++) if (queryOf[i]! >= 0) group[i]!.addIoWait(us);
    }
  }

  /** Hands each completion to the machine that owns its slot; abandoned reads are released. */
  private route(n: number, t: number): void {
    const out = this.out;
    const src = this.source;
    for (let i = 0; i < n; i++) {
      const slot = out.slot[i]!;
      const error = out.error[i];
      const owner = src.slotOwner[slot]!;
      if (owner === ABANDONED) {
        if (error === null) src.reader.release(slot);
        src.abandonedReleased++;
        continue;
      }
      const m = this.machines[owner]!;
      // A finished query's reads were retagged ABANDONED when it finished (QueryMachine.finish).
      if (m.done) invariant(false, `a read completed for machine ${owner}, which runs no query`); // message built only then
      if (error === null || error === undefined) {
        // A record that fails to decode (a wasted read ranked on arrival) ends its query, which the
        // next step() reports; the rest of the batch is still routed, or its slots would leak.
        try {
          m.onRead(slot, t);
        } catch (err) {
          if (m.error === null) m.error = err instanceof Error ? err : new Error(String(err));
        }
      } else {
        m.onReadFailed(slot, error, t);
      }
    }
  }
}

export { Done, Ready, Blocked };
