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
// Flushing: a poll hands queued reads to the kernel (one system call) and peeks at the completion
// queue (no system call when nothing is queued). By default every Ready step is followed by a poll,
// so a read goes to the device as soon as it is chosen and overlaps the next expansion; `lazy`
// flushing keeps reads queued while a query can still progress and sends them with the next wait
// (fewer system calls, but the device idles meanwhile: 10–25% slower pipelined search here).
// Bench: bench/search.ts
import { RingannError, invariant } from "../errors.ts";
import type { Vectors } from "../format/vector-type.ts";
import { ReadCompletions } from "../io/reader.ts";
import { Blocked, Done, type Progress, type QueryMachine, Ready, type SearchParams } from "./machine.ts";
import { ABANDONED, type NodeSource } from "./node-source.ts";

const now = (): number => performance.now();

export interface DriverOptions {
  /** Poll in a loop instead of blocking in the kernel while every query waits (default false). */
  spin?: boolean;
  /** Keep reads queued while a query can still progress; send them with the next wait (default false). */
  lazyFlush?: boolean;
}

export class SearchDriver {
  readonly source: NodeSource;
  readonly machines: readonly QueryMachine[];
  spin: boolean;
  lazyFlush: boolean;
  private readonly out: ReadCompletions;

  constructor(source: NodeSource, machines: readonly QueryMachine[], opts: DriverOptions = {}) {
    this.source = source;
    this.machines = machines;
    this.spin = opts.spin ?? false;
    this.lazyFlush = opts.lazyFlush ?? false;
    for (let i = 0; i < machines.length; i++) invariant(machines[i]!.owner === i, `machine ${i} has owner ${machines[i]!.owner}`);
    this.out = new ReadCompletions(source.reader.slotCount);
  }

  /** Runs one query to its answer on machine `m`. Throws the query's error (read or format). */
  run(m: QueryMachine, query: Vectors, queryOffset: number, params: SearchParams): void {
    m.begin(query, queryOffset, params, now());
    let progress: Progress = Ready;
    try {
      for (;;) {
        if (progress === Blocked) this.waitFor(m.waitingFor(), m);
        else if (!this.lazyFlush || this.source.unflushed === 0) this.pollAndRoute();
        progress = m.step(now());
        if (progress === Done) break;
      }
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
    use: readonly QueryMachine[], queries: Vectors, dim: number, count: number, params: SearchParams,
    onDone: (q: number, m: QueryMachine) => void, onFailed?: (q: number, m: QueryMachine, error: Error) => void,
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
    try {
      while (active > 0) {
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
        if (anyReady) {
          if (!this.lazyFlush || this.source.unflushed === 0) this.pollAndRoute();
        } else {
          this.waitFor(minWait === Infinity ? 1 : minWait, null, ms, queryOf);
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
      if (!(err instanceof Error) || err instanceof RingannError && err.code === "E_INVARIANT") throw err;
      if (m.error === null) m.error = err;
      m.finish(now());
      return Done;
    }
  }

  /** Releases every abandoned read still in flight (before closing, or between phases). */
  drain(): void {
    const reader = this.source.reader;
    while (reader.inFlight > 0) {
      this.source.unflushed = 0;
      this.route(reader.wait(1, this.out), now());
    }
  }

  private pollAndRoute(): void {
    this.source.unflushed = 0;
    this.route(this.source.reader.poll(this.out), now());
  }

  /**
   * Blocks (or spins) until at least `min` completions, charges the time to the waiting machine(s)
   * and routes what arrived.
   */
  private waitFor(min: number, only: QueryMachine | null, group?: readonly QueryMachine[], queryOf?: Int32Array): void {
    const reader = this.source.reader;
    if (reader.inFlight === 0) {
      throw new RingannError("E_INVARIANT", "ringann invariant violated: every query waits for a read but none is in flight (read slots exhausted?)");
    }
    const want = Math.min(min, reader.inFlight);
    this.source.unflushed = 0;
    const t0 = now();
    let n: number;
    if (this.spin) {
      do n = reader.poll(this.out);
      while (n === 0);
    } else {
      n = reader.wait(want, this.out);
    }
    const t1 = now();
    const us = (t1 - t0) * 1000;
    if (only !== null) only.addIoWait(us);
    else if (group !== undefined && queryOf !== undefined) {
      for (let i = 0; i < group.length; i++) if (queryOf[i]! >= 0) group[i]!.addIoWait(us);
    }
    this.route(n, t1);
  }

  /** Hands each completion to the machine that owns its slot; abandoned reads are released. */
  private route(n: number, t: number): void {
    const out = this.out;
    const src = this.source;
    for (let i = 0; i < n; i++) {
      const slot = out.slot[i]!;
      const error = out.error[i];
      src.slotInFlight[slot] = 0;
      const owner = src.slotOwner[slot]!;
      if (owner === ABANDONED) {
        if (error === null) src.reader.release(slot);
        src.abandonedReleased++;
        continue;
      }
      const m = this.machines[owner]!;
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
