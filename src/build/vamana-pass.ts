// One pass over the points, shared by the main thread (threads = 1) and every build Worker: claim
// the next chunk of the insertion order from a shared counter, process it, count it done. With one
// thread the order is exactly the seeded permutation, so the graph is deterministic.
import type { VamanaInserter } from "./vamana.ts";

export const PASS_CHUNK = 64;

/** Int32 slots in the shared counters buffer. */
export const COUNTER_NEXT = 0;
export const COUNTER_DONE = 1;
export const COUNTER_SLOTS = 2;

export type PassKind = "insert" | "cleanup";

export function runPass(
  inserter: VamanaInserter,
  kind: PassKind,
  order: Uint32Array,
  counters: Int32Array,
  medoid: number,
  alpha: number,
  onChunk?: () => void,
  deadlineMs = Number.POSITIVE_INFINITY,
): boolean {
  const n = order.length;
  for (;;) {
    if (performance.now() > deadlineMs) return false; // resumable: the counters say where to go on
    const start = Atomics.add(counters, COUNTER_NEXT, PASS_CHUNK);
    if (start >= n) return true;
    const end = Math.min(n, start + PASS_CHUNK);
    if (kind === "insert") {
      for (let i = start; i < end; i++) inserter.insert(order[i]!, medoid, alpha);
    } else {
      for (let i = start; i < end; i++) inserter.cleanup(order[i]!, alpha);
    }
    Atomics.add(counters, COUNTER_DONE, end - start);
    onChunk?.();
  }
}
