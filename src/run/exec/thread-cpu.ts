// CPU accounting of the calling thread (a Worker is a thread), from /proc/thread-self/schedstat:
// nanoseconds on a CPU, and nanoseconds runnable but waiting for one (the run queue). The second
// says when a run was slowed by other processes on a shared machine rather than by ringann.
import { readFileSync } from "node:fs";

export interface ThreadCpu {
  /** Milliseconds this thread has run on a CPU. */
  readonly cpuMs: number;
  /** Milliseconds it was ready to run but waited for a CPU. */
  readonly runQueueMs: number;
}

/** NaNs where /proc/thread-self/schedstat is unavailable (not Linux, or no CONFIG_SCHED_INFO). */
export function threadCpu(): ThreadCpu {
  try {
    const [onCpuNs, waitNs] = readFileSync("/proc/thread-self/schedstat", "utf8").trim().split(" ").map(Number);
    return { cpuMs: onCpuNs! / 1e6, runQueueMs: waitNs! / 1e6 };
  } catch {
    return { cpuMs: Number.NaN, runQueueMs: Number.NaN };
  }
}
