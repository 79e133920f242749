// The operating system's view of threads and cores, for placing search Workers: which CPUs this
// process may run on (its affinity, which a container or `taskset` narrows), giving the CPU away
// (sched_yield), pinning a thread to a CPU (sched_setaffinity) and lowering a thread's priority.
// libc is opened through bun:ffi on first use; off Linux every call degrades to a no-op.
import { dlopen, FFIType, ptr } from "bun:ffi";
import { readFileSync } from "node:fs";
import { availableParallelism, setPriority } from "node:os";

const LIBC_SYMBOLS = {
  sched_yield: { args: [], returns: FFIType.i32 },
  sched_setaffinity: { args: [FFIType.i32, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
  sched_setscheduler: { args: [FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
} as const;

type Libc = ReturnType<typeof dlopen<typeof LIBC_SYMBOLS>>["symbols"];
let libc: Libc | null | undefined;

function openLibc(): Libc | null {
  if (libc === undefined) {
    try {
      libc = process.platform === "linux" ? dlopen("libc.so.6", LIBC_SYMBOLS).symbols : null;
    } catch {
      libc = null;
    }
  }
  return libc;
}

/** The CPUs this process may run on (Cpus_allowed_list of /proc/self/status), or 0..n-1 when unknown. */
export function allowedCpus(): number[] {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const m = /\nCpus_allowed_list:\s*([0-9,\-]+)/.exec(status);
    if (m !== null) return parseCpuList(m[1]!);
  } catch {
    // not Linux: fall through
  }
  return Array.from({ length: availableParallelism() }, (_, i) => i);
}

/** "0-2,5" → [0, 1, 2, 5]. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(",")) {
    if (part === "") continue;
    const [a, b] = part.split("-").map(Number);
    for (let c = a!; c <= (b ?? a!); c++) cpus.push(c);
  }
  return cpus;
}

/** Cores this process can use (its affinity, not the machine's count). */
export function availableCores(): number {
  return Math.max(1, availableParallelism());
}

/** Gives the CPU to another runnable thread, if any (returns at once when none waits). */
export function makeYield(): (() => void) | null {
  const lib = openLibc();
  if (lib === null) return null;
  const fn = lib.sched_yield;
  return () => void fn();
}

/** Pins the calling thread to `cpu`; false when the system refuses (or off Linux). */
export function pinCurrentThread(cpu: number): boolean {
  const lib = openLibc();
  if (lib === null || cpu < 0 || cpu >= 1024) return false;
  const mask = new Uint8Array(128); // cpu_set_t: 1024 bits
  mask[cpu >> 3] = 1 << (cpu & 7);
  return lib.sched_setaffinity(0, mask.byteLength, ptr(mask)) === 0;
}

/** Linux's SCHED_IDLE policy: the thread runs only on a core no other thread wants. */
const SCHED_IDLE = 5;

/**
 * Puts thread `tid` in SCHED_IDLE: every normal thread that wakes takes its core at once (a lower
 * nice value only shrinks its share: once picked it still keeps the core for a time slice).
 * Needs no privilege; false when refused or off Linux.
 */
export function setThreadIdle(tid: number): boolean {
  const lib = openLibc();
  if (lib === null) return false;
  const param = new Int32Array(1); // struct sched_param { int sched_priority = 0 }
  return lib.sched_setscheduler(tid, SCHED_IDLE, ptr(param)) === 0;
}

/** Sets thread `tid`'s nice value; false when refused (a lower value needs privilege). */
export function setThreadNice(tid: number, nice: number): boolean {
  try {
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
