// The runtime's own threads give way to the search Workers. Besides the main thread and the
// Workers, a Bun process runs JavaScriptCore's JIT compilers ("JITWorker") and parallel-GC helpers
// ("HeapHelper"), mimalloc's scavenger and Bun's pools. On a machine with as many Workers as cores,
// any of them that becomes runnable takes a core from a Worker for up to a time slice, and the
// query running there waits: a tail. Measured in the sweep rows as jit/gc/other_cpu_util; the JIT
// is the big one (a few % of a core during the first runs of a pool, when each new Worker compiles
// its search code again). So while a pool searches, these threads go to SCHED_IDLE: they run on
// any idle core (Workers sleep on reads about half the time), and a Worker that wakes takes the
// core back at once. (A nice value was tried first: it only shrinks their share, and once picked
// they keep the core for a whole time slice, so a waking Worker still waits.)
// RINGANN_RUNTIME_SCHED=off leaves them alone, =nice uses nice RINGANN_RUNTIME_NICE (default 10);
// both are one-way without privilege, so they stay for the rest of the process.
import { setThreadIdle, setThreadNice } from "./os-thread.ts";
import { threadRole, type ThreadSample } from "./thread-stats.ts";

const DEFAULT_NICE = 10;
const reniced = new Set<number>();

function runtimeNice(): number {
  const env = process.env.RINGANN_RUNTIME_NICE;
  const n = env === undefined || env === "" ? DEFAULT_NICE : Number(env);
  return Number.isInteger(n) && n >= 0 && n <= 19 ? n : DEFAULT_NICE;
}

/** Lowers the priority of the runtime's threads among `threads` (not the main thread, Workers or io_uring's). */
export function yieldRuntimeThreads(threads: readonly ThreadSample[], workerTids: readonly number[]): void {
  const mode =
    process.env.RINGANN_RUNTIME_SCHED === "nice"
      ? "nice"
      : process.env.RINGANN_RUNTIME_SCHED === "off"
        ? "off"
        : "idle";
  const nice = runtimeNice();
  if (mode === "off" || (mode === "nice" && nice === 0)) return;
  const workers = new Set(workerTids);
  for (const t of threads) {
    if (reniced.has(t.tid)) continue;
    const role = threadRole(t.tid, t.name, workers);
    // io_uring's kernel workers ("iou-wrk-…", "iou-sqp-…") carry reads: never slow them down.
    if (role === "main" || role === "worker" || t.name.startsWith("iou-")) continue;
    reniced.add(t.tid);
    if (mode === "idle") setThreadIdle(t.tid);
    else setThreadNice(t.tid, nice);
  }
}
