// How a search Worker waits for its reads, chosen against the cores this process may use.
//   block  io_uring_enter sleeps until a completion: the CPU is free for anyone meanwhile, at the
//          price of a wake-up (an interrupt, a context switch) per wait.
//   spin   poll the completion queue in a loop: no wake-up latency, but the core stays busy; with
//          as many spinning Workers as cores, every other thread of the process (the main thread,
//          the JIT compiler, the garbage collector's helpers) and the kernel's own work wait for a
//          time slice to end — milliseconds — which is exactly the tail this avoids.
//   yield  spin, but call sched_yield between empty polls: the core goes to any other runnable
//          thread at once, and back to the Worker when none is.
// So "spin" is kept only while a core is left over for the rest; otherwise it becomes "yield".
import type { WaitStrategy } from "../config/config-schema.ts";

export interface WaitChoice {
  readonly wait: WaitStrategy;
  /** Why the requested strategy was changed, for the log; null when it was not. */
  readonly note: string | null;
}

export function effectiveWait(requested: WaitStrategy, workers: number, cores: number): WaitChoice {
  if (requested === "spin" && workers >= cores) {
    return {
      wait: "yield",
      note:
        `wait "spin" with ${workers} Worker${workers === 1 ? "" : "s"} on ${cores} core${cores === 1 ? "" : "s"}: ` +
        "spinning would leave no core for the other threads, so Workers yield the CPU between polls",
    };
  }
  return { wait: requested, note: null };
}
