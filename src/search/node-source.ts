// Where a node's record comes from — the cache, or a sector read that is pending or completed —
// hidden behind one object, so beam and pipelined search differ only in policy.
//
// A node is referred to by a *handle*: a read slot (≥ 0) while its read is in flight or completed,
// or a cache handle (≤ -2, see cacheHandle). load(handle, id) decodes the record into the public
// fields (coords/coordsOffset, nbrs/nbrsOffset, degree) without allocating, and checks the degree
// against R. A read's routing lives in the reader's record of its slot (one record per read, no copy
// here): slotOwner[slot] (the reader's tag) is the query (its owner number) the read belongs to, or
// ABANDONED once that query finished without it; slotNode[slot] (the reader's key) is the node being
// read. A driver routes each completion by these two typed arrays (see driver.ts).
// Bench: bench/search-hop.bench.ts
import { FormatError } from "../errors.ts";
import { type DiskIndexMeta, nodeByteOffsetInSector, nodeReadBytes, nodeSectorIndex } from "../format/disk-index.ts";
import type { Vectors } from "../format/vector-type.ts";
import { SECTOR_BYTES, type SectorReader } from "../io/reader.ts";
import type { NodeCache } from "./cache.ts";

/** slotOwner value of a read whose query has finished; the driver releases it on completion. */
export const ABANDONED = -1;
/** "no node" / "no slot". */
export const NO_HANDLE = -1;

/** The handle of cache position `pos` (always ≤ -2). */
export function cacheHandle(pos: number): number {
  return -2 - pos;
}

/**
 * Typed-array views over one ArrayBuffer, built once per buffer; `coords` is the view of the index's
 * element type, chosen when the views are bound (once per buffer, never per hop).
 */
class BufferViews {
  buffer: ArrayBufferLike | null = null;
  u8: Uint8Array = new Uint8Array(0);
  u32: Uint32Array = new Uint32Array(0);
  coords: Vectors;
  private readonly type: "float32" | "uint8" | "int8";

  constructor(type: "float32" | "uint8" | "int8") {
    this.type = type;
    this.coords = this.u8;
  }

  bind(buffer: ArrayBufferLike): void {
    this.buffer = buffer;
    const words = Math.floor(buffer.byteLength / 4);
    this.u8 = new Uint8Array(buffer);
    this.u32 = new Uint32Array(buffer, 0, words);
    const t = this.type;
    this.coords =
      t === "float32" ? new Float32Array(buffer, 0, words) : t === "uint8" ? this.u8 : new Int8Array(buffer);
  }
}

export class NodeSource {
  readonly reader: SectorReader;
  readonly meta: DiskIndexMeta;
  readonly cache: NodeCache | null;
  /** The reader's per-slot tags and keys (the same arrays, not copies). */
  readonly slotOwner: Int32Array;
  readonly slotNode: Uint32Array;
  /** Abandoned reads released so far (for tests and stats). */
  abandonedReleased = 0;

  // ---- the node decoded by the last load() ----
  coords: Vectors;
  /** Element offset of the coordinates in `coords`. */
  coordsOffset = 0;
  nbrs: Uint32Array<ArrayBufferLike>;
  /** Element offset of the first neighbour in `nbrs`. */
  nbrsOffset = 0;
  degree = 0;

  private readonly readBytes: number;
  private readonly aligned: boolean;
  private readonly elemShift: number;
  private readonly slotViews: BufferViews;
  private readonly cacheViews: BufferViews;
  /** Neighbours copied out when records are not 4-byte aligned (1-byte types, dim % 4 ≠ 0). */
  private readonly nbrScratch: Uint32Array;

  constructor(reader: SectorReader, meta: DiskIndexMeta, cache: NodeCache | null) {
    this.reader = reader;
    this.meta = meta;
    this.cache = cache;
    this.slotOwner = reader.tags;
    this.slotNode = reader.keys;
    this.readBytes = nodeReadBytes(meta);
    this.aligned = meta.coordBytes % 4 === 0;
    this.elemShift = meta.type === "float32" ? 2 : 0;
    this.nbrScratch = new Uint32Array(meta.R + 1);
    this.slotViews = new BufferViews(meta.type);
    this.cacheViews = new BufferViews(meta.type);
    this.coords = this.slotViews.coords;
    this.nbrs = this.nbrScratch;
    if (cache !== null) this.cacheViews.bind(cache.bytes.buffer);
  }

  /** Cache handle of node `id`, or NO_HANDLE when it is not cached. */
  cached(id: number): number {
    if (this.cache === null) return NO_HANDLE;
    const pos = this.cache.positionOfNode(id);
    return pos < 0 ? NO_HANDLE : -2 - pos;
  }

  /** Queues a read of node `id` for query `owner`; the slot, or NO_HANDLE when none is free. */
  submit(owner: number, id: number): number {
    const slot = this.reader.submit(nodeSectorIndex(this.meta, id) * SECTOR_BYTES, this.readBytes, owner, id);
    return slot === null ? NO_HANDLE : slot;
  }

  /** Marks every in-flight read of `owner` abandoned (its query is done); returns how many. */
  abandon(owner: number): number {
    return this.reader.retag(owner, ABANDONED);
  }

  /** Decodes node `id` held by `handle` into coords/nbrs/degree. Checks degree ≤ R. */
  load(handle: number, id: number): void {
    let views: BufferViews;
    let base: number;
    if (handle >= 0) {
      const bytes = this.reader.view(handle);
      views = this.slotViews;
      if (bytes.buffer !== views.buffer) views.bind(bytes.buffer);
      base = bytes.byteOffset + nodeByteOffsetInSector(this.meta, id);
    } else {
      views = this.cacheViews;
      base = this.cache!.recordOffset(-2 - handle);
    }
    const meta = this.meta;
    this.coords = views.coords;
    this.coordsOffset = base >> this.elemShift;
    const degreeAt = base + meta.coordBytes;
    if (this.aligned) {
      const u32 = views.u32;
      const w = degreeAt >> 2;
      const degree = u32[w]!;
      if (degree > meta.R) throw this.badDegree(id, degree);
      this.degree = degree;
      this.nbrs = u32;
      this.nbrsOffset = w + 1;
    } else {
      const u8 = views.u8;
      const degree =
        (u8[degreeAt]! | (u8[degreeAt + 1]! << 8) | (u8[degreeAt + 2]! << 16) | (u8[degreeAt + 3]! << 24)) >>> 0;
      if (degree > meta.R) throw this.badDegree(id, degree);
      const out = this.nbrScratch;
      let at = degreeAt + 4;
      for (let k = 0; k < degree; k++, at += 4) {
        out[k] = (u8[at]! | (u8[at + 1]! << 8) | (u8[at + 2]! << 16) | (u8[at + 3]! << 24)) >>> 0;
      }
      this.degree = degree;
      this.nbrs = out;
      this.nbrsOffset = 0;
    }
  }

  /**
   * The bytes a completed read brought (the whole sector, records from offset 0): page search scores
   * every record of it at once. Only for read slots (handle ≥ 0), never for cache handles.
   */
  sectorBytes(handle: number): Uint8Array {
    return this.reader.view(handle);
  }

  /** Gives a handle back: a completed read's slot is released; cache handles need nothing. */
  release(handle: number): void {
    if (handle >= 0) this.reader.release(handle);
  }

  /** The error for a neighbour id ≥ npts in node `id`'s record. */
  badNeighbor(id: number, k: number, nbr: number): FormatError {
    return new FormatError(this.meta.file, `node ${id} nbrs[${k}]`, `< npts (${this.meta.npts})`, String(nbr));
  }

  private badDegree(id: number, degree: number): FormatError {
    return new FormatError(this.meta.file, `node ${id} nnbrs`, `≤ R (${this.meta.R})`, String(degree));
  }
}
