// The shared memory between the listening thread and one search Worker (the "handoff" dispatch of
// `ringann serve`): S job slots, a ring of slot numbers each way, and two counters the sides wait on.
// A slot is owned by one side at a time: the listener fills it and pushes its number in; the Worker
// answers into it and pushes the number out; the listener reads the answer and frees it. Each ring
// holds at most S numbers because at most S slots are out, so neither can overflow.
// Why shared memory and Atomics rather than postMessage: a busy Worker needs no wake-up at all — it
// looks at a counter between two steps of its queries, where a message would wait for its event loop —
// and a wake-up through Atomics.waitAsync costs ~0.7× a postMessage round trip (bench/serve-wake.ts).
import { STAT_COUNT } from "../search/stat-fields.ts";

/** Control words (Int32). */
const IN_TAIL = 0; // queries pushed by the listener (monotonic)
const OUT_TAIL = 1; // answers pushed by the Worker (monotonic)
const STOP = 2; // 1: finish what was handed over, then stop
const CONTROL_WORDS = 4;

/** A slot's parameters (Float64): k, L, width, mode (0 beam, 1 pipe), ms left before the deadline. */
export const P_K = 0;
export const P_L = 1;
export const P_WIDTH = 2;
export const P_MODE = 3;
export const P_DEADLINE_MS = 4;
const PARAMS = 5;

/** A slot's outcome (Int32 pair: status, result count). */
export const STATUS_OK = 0;
export const STATUS_QUEUE_FULL = 1;
export const STATUS_DEADLINE = 2;
export const STATUS_CLOSED = 3;
export const STATUS_ERROR = 4;
/** Per slot after the stats: the µs the query waited in the Worker before a machine took it. */
const ANSWER_F64 = STAT_COUNT + 1;
const ERROR_BYTES = 512;

export interface RingChannelShape {
  slots: number;
  dim: number;
  maxK: number;
}

/** The buffers, as posted to the Worker (SharedArrayBuffers cross threads without a copy). */
export interface RingChannelBuffers extends RingChannelShape {
  control: SharedArrayBuffer;
  rings: SharedArrayBuffer;
  queries: SharedArrayBuffer;
  params: SharedArrayBuffer;
  outcome: SharedArrayBuffer;
  ids: SharedArrayBuffer;
  distances: SharedArrayBuffer;
  answer: SharedArrayBuffer;
  errors: SharedArrayBuffer;
}

export class RingChannel {
  readonly slots: number;
  readonly dim: number;
  readonly maxK: number;
  readonly buffers: RingChannelBuffers;
  readonly control: Int32Array;
  /** [0, S): slot numbers in (listener → Worker); [S, 2S): out (Worker → listener). */
  readonly rings: Int32Array;
  readonly queries: Float32Array;
  readonly params: Float64Array;
  readonly outcome: Int32Array;
  readonly ids: Uint32Array;
  readonly distances: Float32Array;
  /** Per slot: the STAT_COUNT stats (QueryStats.writeTo order), then the Worker-side queue µs. */
  readonly answer: Float64Array;
  readonly errors: Uint8Array;

  private constructor(b: RingChannelBuffers) {
    this.buffers = b;
    this.slots = b.slots;
    this.dim = b.dim;
    this.maxK = b.maxK;
    this.control = new Int32Array(b.control);
    this.rings = new Int32Array(b.rings);
    this.queries = new Float32Array(b.queries);
    this.params = new Float64Array(b.params);
    this.outcome = new Int32Array(b.outcome);
    this.ids = new Uint32Array(b.ids);
    this.distances = new Float32Array(b.distances);
    this.answer = new Float64Array(b.answer);
    this.errors = new Uint8Array(b.errors);
  }

  static create(shape: RingChannelShape): RingChannel {
    const { slots: S, dim, maxK } = shape;
    const sab = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(Math.max(8, bytes));
    return new RingChannel({
      ...shape,
      control: sab(CONTROL_WORDS * 4),
      rings: sab(2 * S * 4),
      queries: sab(S * dim * 4),
      params: sab(S * PARAMS * 8),
      outcome: sab(S * 2 * 4),
      ids: sab(S * maxK * 4),
      distances: sab(S * maxK * 4),
      answer: sab(S * ANSWER_F64 * 8),
      errors: sab(S * ERROR_BYTES),
    });
  }

  static attach(b: RingChannelBuffers): RingChannel {
    return new RingChannel(b);
  }

  paramAt(slot: number, field: number): number {
    return this.params[slot * PARAMS + field]!;
  }

  setParam(slot: number, field: number, value: number): void {
    this.params[slot * PARAMS + field] = value;
  }

  /** Offset of a slot's stats in `answer`; the Worker queue µs follows them. */
  answerAt(slot: number): number {
    return slot * ANSWER_F64;
  }

  // Listener side.

  /** Hands a filled slot to the Worker and wakes it if it sleeps. */
  pushIn(slot: number): void {
    const tail = Atomics.load(this.control, IN_TAIL);
    Atomics.store(this.rings, tail % this.slots, slot);
    Atomics.store(this.control, IN_TAIL, tail + 1);
    Atomics.notify(this.control, IN_TAIL);
  }

  get outTail(): number {
    return Atomics.load(this.control, OUT_TAIL);
  }

  /** The slot number of answer `i` (0, 1, 2, ... in the order the Worker pushed them). */
  outAt(i: number): number {
    return Atomics.load(this.rings, this.slots + (i % this.slots));
  }

  /** Resolves when the Worker pushes answers beyond `seen` (at once if it already has). */
  waitOut(seen: number): Promise<unknown> | null {
    const w = Atomics.waitAsync(this.control, OUT_TAIL, seen);
    return w.async ? w.value : null;
  }

  requestStop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, IN_TAIL);
  }

  // Worker side.

  get inTail(): number {
    return Atomics.load(this.control, IN_TAIL);
  }

  inAt(i: number): number {
    return Atomics.load(this.rings, i % this.slots);
  }

  get stopRequested(): boolean {
    return Atomics.load(this.control, STOP) === 1;
  }

  /** Resolves when the listener pushes queries beyond `seen`, or asks to stop. */
  waitIn(seen: number): Promise<unknown> | null {
    const w = Atomics.waitAsync(this.control, IN_TAIL, seen);
    return w.async ? w.value : null;
  }

  /** Publishes an answered slot: its number, then the tail, then a wake-up. */
  pushOut(slot: number): void {
    const tail = Atomics.load(this.control, OUT_TAIL);
    Atomics.store(this.rings, this.slots + (tail % this.slots), slot);
    Atomics.store(this.control, OUT_TAIL, tail + 1);
    Atomics.notify(this.control, OUT_TAIL);
  }

  /** Error text of a slot (UTF-8, cut at ERROR_BYTES). */
  writeError(slot: number, text: string): void {
    const bytes = new TextEncoder().encode(text).subarray(0, ERROR_BYTES - 2);
    const at = slot * ERROR_BYTES;
    this.errors[at] = bytes.length & 0xff;
    this.errors[at + 1] = bytes.length >> 8;
    this.errors.set(bytes, at + 2);
  }

  readError(slot: number): string {
    const at = slot * ERROR_BYTES;
    const n = this.errors[at]! | (this.errors[at + 1]! << 8);
    return new TextDecoder().decode(this.errors.slice(at + 2, at + 2 + n));
  }
}
