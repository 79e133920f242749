// Messages between the listening thread and its search Workers (the "handoff" dispatch). Queries
// and answers do not go this way: they cross in the RingChannel's shared memory.
import type { IndexFiles } from "../search/index-files.ts";
import type { RingChannelBuffers } from "./ring-channel.ts";
import type { IndexServeConfig } from "./serve-config.ts";

/** `files`: the index's in-memory parts, the PQ codes in shared memory (one copy for all threads). */
export type ToRingWorker = { type: "start"; index: IndexServeConfig; files: IndexFiles; channel: RingChannelBuffers };

export type FromRingWorker = { type: "ready" } | { type: "stopped" } | { type: "error"; message: string };
