// Messages between the listening thread and its search Workers (the "handoff" dispatch). Queries
// and answers do not go this way: they cross in the RingChannel's shared memory.
import type { RingChannelBuffers } from "./ring-channel.ts";
import type { IndexServeConfig } from "./serve-config.ts";

export type ToRingWorker = { type: "start"; index: IndexServeConfig; channel: RingChannelBuffers };

export type FromRingWorker = { type: "ready" } | { type: "stopped" } | { type: "error"; message: string };
