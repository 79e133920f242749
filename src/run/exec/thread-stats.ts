// Per-thread scheduler counters of this process, from /proc (Linux): CPU time, time runnable but
// waiting for a CPU (the run queue), and voluntary / involuntary context switches. A sweep samples
// every thread of the process before and after each run, so a tail can be explained from the
// results alone: Workers preempted (involuntary switches, run-queue time), the main thread or the
// runtime's own threads (JIT compiler, GC helpers) busy while the Workers search.
// Sampling reads a few small files per thread: done at run boundaries only, never while searching.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Cumulative scheduler counters of one thread. */
export interface ThreadCounters {
  /** Nanoseconds on a CPU. */
  cpuNs: number;
  /** Nanoseconds runnable but waiting for a CPU. */
  runQueueNs: number;
  /** Context switches the thread asked for (blocking in a system call, sleeping). */
  voluntary: number;
  /** Context switches forced on it (preempted at the end of a time slice or by a waking thread). */
  involuntary: number;
}

/** What a thread does in this process, from its name (comm) and the Worker ids the pool knows. */
export type ThreadRole = "main" | "worker" | "jit" | "gc" | "other";

export interface ThreadSample {
  readonly tid: number;
  readonly name: string;
  readonly counters: ThreadCounters;
}

export const zeroCounters = (): ThreadCounters => ({ cpuNs: 0, runQueueNs: 0, voluntary: 0, involuntary: 0 });

/** Counters of the thread whose /proc folder is `dir`, or null when unreadable (the thread ended, not Linux). */
export function readThreadCounters(dir: string): ThreadCounters | null {
  try {
    const sched = readFileSync(`${dir}/schedstat`, "utf8").trim().split(" ");
    const status = readFileSync(`${dir}/status`, "utf8");
    return {
      cpuNs: Number(sched[0]),
      runQueueNs: Number(sched[1]),
      voluntary: statusField(status, "voluntary_ctxt_switches"),
      involuntary: statusField(status, "nonvoluntary_ctxt_switches"),
    };
  } catch {
    return null;
  }
}

function statusField(status: string, name: string): number {
  const at = status.indexOf(`\n${name}:`);
  if (at < 0) return Number.NaN;
  return Number.parseInt(status.slice(at + name.length + 2), 10);
}

/** The calling thread's kernel thread id (a Worker is a thread), or -1 off Linux. */
export function currentThreadId(): number {
  try {
    const link = readlinkSync("/proc/thread-self"); // "<pid>/task/<tid>"
    return Number(link.slice(link.lastIndexOf("/") + 1));
  } catch {
    return -1;
  }
}

/** Every thread of this process with its counters (empty off Linux). */
export function sampleProcessThreads(): ThreadSample[] {
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return [];
  }
  const out: ThreadSample[] = [];
  for (const t of tids) {
    const dir = `/proc/self/task/${t}`;
    let name: string;
    try {
      name = readFileSync(`${dir}/comm`, "utf8").trim();
    } catch {
      continue; // ended between the listing and the read
    }
    const counters = readThreadCounters(dir);
    if (counters !== null) out.push({ tid: Number(t), name, counters });
  }
  return out;
}

/**
 * The role of a thread: the process's first thread is the main thread; Workers are known by id;
 * JavaScriptCore names its compiler threads "JITWorker", its parallel-GC threads "HeapHelper" and each
 * heap's concurrent marker "Heap Collector Thread" (comm keeps its last 15 characters).
 * Everything else (the allocator's scavenger, Bun's pools, io_uring's kernel workers) is "other".
 */
export function threadRole(tid: number, name: string, workerTids: ReadonlySet<number>): ThreadRole {
  if (tid === process.pid) return "main";
  if (workerTids.has(tid)) return "worker";
  if (name.startsWith("JITWorker") || name.startsWith("JIT")) return "jit";
  if (name.startsWith("HeapHelper") || name.includes("ollector")) return "gc";
  return "other";
}

export function addCounters(into: ThreadCounters, a: ThreadCounters, sign = 1): void {
  into.cpuNs += sign * a.cpuNs;
  into.runQueueNs += sign * a.runQueueNs;
  into.voluntary += sign * a.voluntary;
  into.involuntary += sign * a.involuntary;
}

/** One run's scheduler counters (after − before): each Worker's, and the rest of the process by role. */
export interface RunThreadStats {
  /** Per Worker, in Worker order. */
  readonly workers: ThreadCounters[];
  readonly main: ThreadCounters;
  readonly jit: ThreadCounters;
  readonly gc: ThreadCounters;
  readonly other: ThreadCounters;
}

/** The counters accumulated between two samples; threads born in between count from zero. */
export function runThreadStats(
  before: readonly ThreadSample[],
  after: readonly ThreadSample[],
  workerTids: readonly number[],
): RunThreadStats {
  const start = new Map<number, ThreadCounters>();
  for (const s of before) start.set(s.tid, s.counters);
  const workerSet = new Set(workerTids);
  const stats: RunThreadStats = {
    workers: workerTids.map(() => zeroCounters()),
    main: zeroCounters(),
    jit: zeroCounters(),
    gc: zeroCounters(),
    other: zeroCounters(),
  };
  for (const s of after) {
    const delta = zeroCounters();
    addCounters(delta, s.counters);
    const s0 = start.get(s.tid);
    if (s0 !== undefined) addCounters(delta, s0, -1);
    const role = threadRole(s.tid, s.name, workerSet);
    if (role === "worker") addCounters(stats.workers[workerTids.indexOf(s.tid)]!, delta);
    else addCounters(stats[role], delta);
  }
  return stats;
}

/** The Workers' counters summed. */
export function sumWorkers(stats: RunThreadStats): ThreadCounters {
  const sum = zeroCounters();
  for (const w of stats.workers) addCounters(sum, w);
  return sum;
}

/** Every counter × `part` (one combo's share of an interleaved run). */
export function scaleThreadStats(stats: RunThreadStats, part: number): RunThreadStats {
  const scale = (c: ThreadCounters): ThreadCounters => ({
    cpuNs: c.cpuNs * part,
    runQueueNs: c.runQueueNs * part,
    voluntary: c.voluntary * part,
    involuntary: c.involuntary * part,
  });
  return {
    workers: stats.workers.map(scale),
    main: scale(stats.main),
    jit: scale(stats.jit),
    gc: scale(stats.gc),
    other: scale(stats.other),
  };
}
