// A search Worker of the "handoff" dispatch: one ring, no sockets. It takes queries from its
// RingChannel between the pump's steps (QueryScheduler.intake), so a freed machine starts the next
// query at once, and publishes each answer the moment it exists. It sleeps (Atomics.waitAsync) only
// when it has nothing to run.
import { QueryRejectedError, RingannError } from "../errors.ts";
import type { AsyncSearchResult } from "../search/async-index.ts";
import { STAT_COUNT } from "../search/stat-fields.ts";
import { openServedDiskIndex } from "./served-index.ts";
import {
  P_DEADLINE_MS,
  P_K,
  P_L,
  P_MODE,
  P_WIDTH,
  RingChannel,
  STATUS_CLOSED,
  STATUS_DEADLINE,
  STATUS_ERROR,
  STATUS_OK,
  STATUS_QUEUE_FULL,
} from "./ring-channel.ts";
import type { FromRingWorker, ToRingWorker } from "./ring-protocol.ts";

declare const self: Worker;
const send = (m: FromRingWorker): void => self.postMessage(m);

self.onmessage = async (event: MessageEvent<ToRingWorker>) => {
  const msg = event.data;
  try {
    const index = await openServedDiskIndex(msg.index, msg.files);
    const ch = RingChannel.attach(msg.channel);
    const sched = index.scheduler;
    // Everything handed over fits in the channel; nothing here should ever be refused for room.
    sched.maxQueued = ch.slots;
    // No sockets on this thread: a slice only bounds how late a stop request is seen.
    sched.sliceMs = 20;
    const dim = ch.dim;
    const maxK = ch.maxK;

    const publish = (slot: number, status: number, n: number): void => {
      ch.outcome[slot * 2] = status;
      ch.outcome[slot * 2 + 1] = n;
      ch.pushOut(slot);
    };
    const answer = (slot: number, r: AsyncSearchResult): void => {
      const n = r.ids.length;
      ch.ids.set(r.ids, slot * maxK);
      ch.distances.set(r.distances, slot * maxK);
      const at = ch.answerAt(slot);
      r.stats.writeTo(ch.answer, at);
      ch.answer[at + STAT_COUNT] = r.queuedUs;
      publish(slot, STATUS_OK, n);
    };
    const fail = (slot: number, e: Error): void => {
      if (e instanceof QueryRejectedError) {
        const status =
          e.reason === "deadline" ? STATUS_DEADLINE : e.reason === "queue-full" ? STATUS_QUEUE_FULL : STATUS_CLOSED;
        publish(slot, status, 0);
        return;
      }
      ch.writeError(slot, `${e instanceof RingannError ? e.code : "E_INTERNAL"}\n${e.message}`);
      publish(slot, STATUS_ERROR, 0);
    };
    // One pair of callbacks per slot, made once.
    const resolvers = Array.from({ length: ch.slots }, (_, s) => (r: AsyncSearchResult) => answer(s, r));
    const rejecters = Array.from({ length: ch.slots }, (_, s) => (e: Error) => fail(s, e));

    let head = 0;
    const take = (): void => {
      const tail = ch.inTail;
      while (head < tail) {
        const slot = ch.inAt(head++);
        const opts = {
          k: ch.paramAt(slot, P_K),
          L: ch.paramAt(slot, P_L),
          width: ch.paramAt(slot, P_WIDTH),
          mode: ch.paramAt(slot, P_MODE) === 0 ? ("beam" as const) : ("pipe" as const),
          deadlineMs: ch.paramAt(slot, P_DEADLINE_MS),
        };
        sched.enqueue(ch.queries, opts, slot * dim, resolvers[slot]!, rejecters[slot]!);
      }
    };
    sched.intake = take;
    send({ type: "ready" });

    for (;;) {
      take();
      if (ch.stopRequested && head === ch.inTail) break;
      if (sched.running > 0 || sched.queued > 0) await sched.idle();
      else {
        const woke = ch.waitIn(head);
        if (woke !== null) await woke;
      }
    }
    await sched.drain();
    index.close();
    send({ type: "stopped" });
  } catch (err) {
    send({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
