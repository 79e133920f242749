// The node cache: records of the nodes nearest the medoid in the graph (breadth-first from the
// medoid, DiskANN's choice), kept in memory so visiting them costs no read. Sized by node count
// or by bytes. Records are stored exactly as on disk (coords | degree | neighbours), `stride`
// bytes apart, so the node source decodes cached and freshly read nodes with the same code.
import { FormatError, invariant } from "../errors.ts";
import { type DiskIndexMeta, nodeByteOffsetInSector, nodeReadBytes, nodeSectorIndex } from "../format/disk-index.ts";
import { loadU32 } from "../format/u64-fields.ts";
import { ReadCompletions, SECTOR_BYTES, type SectorReader } from "../io/reader.ts";
import { CachePositions } from "./cache-positions.ts";
import { createVisitedSet } from "./visited.ts";

export interface CacheSize {
  /** Cache this many nodes. */
  nodes?: number;
  /** Or as many nodes as fit in this many bytes of records. */
  bytes?: number;
}

export class NodeCache {
  readonly count: number;
  /** Bytes between records (max_node_len rounded up to 4). */
  readonly stride: number;
  readonly bytes: Uint8Array;
  /** Cached ids, breadth-first from the medoid (within a batch, in the order the reads completed). */
  readonly ids: Uint32Array;
  /** id → cache position, sized by the cache (shareable: search Workers pass its table around). */
  readonly positions: CachePositions;

  /** `positions` defaults to a fresh table over `ids`; Workers pass the shared one instead. */
  constructor(
    ids: Uint32Array,
    bytes: Uint8Array,
    stride: number,
    positions: CachePositions = CachePositions.build(ids),
  ) {
    this.count = ids.length;
    this.stride = stride;
    this.bytes = bytes;
    this.ids = ids;
    this.positions = positions;
  }

  /** Cache position of node `id`, or -1 when it is not cached. */
  positionOfNode(id: number): number {
    return this.positions.positionOf(id);
  }

  /** Byte offset of cache position `pos`'s record in `bytes`. */
  recordOffset(pos: number): number {
    return pos * this.stride;
  }
}

/** The number of nodes a CacheSize asks for, capped at npts. */
export function cacheNodeCount(meta: DiskIndexMeta, size: CacheSize): number {
  let n = size.nodes ?? 0;
  if (size.bytes !== undefined) n = Math.max(n, Math.floor(size.bytes / cacheStride(meta)));
  return Math.max(0, Math.min(meta.npts, Math.floor(n)));
}

export function cacheStride(meta: DiskIndexMeta): number {
  return (meta.maxNodeBytes + 3) & ~3;
}

/**
 * Reads `count` nodes breadth-first from the medoid through `reader` (batches of up to its slot
 * count) and returns them as a cache. Every record read is validated (degree ≤ R, ids < npts).
 */
export function loadNodeCache(reader: SectorReader, meta: DiskIndexMeta, count: number): NodeCache | null {
  if (count <= 0) return null;
  const stride = cacheStride(meta);
  const bytes = new Uint8Array(count * stride);
  const ids = new Uint32Array(count);
  // BFS frontier as a flat list: everything in [head, tail) is discovered, not yet read. Only the
  // first `count` discovered nodes are ever read, so discovery stops there: both the list and the
  // set of discovered nodes are sized by the cache, not by npts.
  const seen = createVisitedSet(meta.npts, count);
  const order = new Uint32Array(count);
  let head = 0;
  let tail = 0;
  order[tail++] = meta.medoid;
  seen.add(meta.medoid);
  let cached = 0;
  const readBytes = nodeReadBytes(meta);
  const out = new ReadCompletions(reader.slotCount);
  const slotNode = new Uint32Array(reader.slotCount);
  const slotFailed = new Uint8Array(reader.slotCount);
  const batch = Math.max(1, reader.slotCount);
  const batchSlots = new Int32Array(batch);

  while (cached < count && head < tail) {
    let submitted = 0;
    while (submitted < batch && head < tail && cached + submitted < count) {
      const id = order[head]!;
      const slot = reader.submit(nodeSectorIndex(meta, id) * SECTOR_BYTES, readBytes);
      if (slot === null) break;
      slotNode[slot] = id;
      batchSlots[submitted] = slot;
      head++;
      submitted++;
    }
    invariant(submitted > 0, "node cache: no read slot free");
    // Wait for the whole batch, then take its records in submission order: the cache (which nodes,
    // at which positions) does not depend on the order the reads completed in. A failed read or a
    // bad record ends the load only after every slot of the batch is given back, so the reader stays
    // clean for its owner (the node-record fuzzer found the load leaking slots when it threw).
    let failure: unknown = null;
    for (let done = 0; done < submitted; ) {
      const n = reader.wait(submitted - done, out);
      for (let i = 0; i < n; i++) {
        const err = out.error[i];
        if (err) {
          failure ??= err;
          slotFailed[out.slot[i]!] = 1; // already Free
        }
      }
      done += n;
    }
    for (let j = 0; j < submitted; j++) {
      const slot = batchSlots[j]!;
      if (slotFailed[slot] === 1) {
        slotFailed[slot] = 0;
        continue;
      }
      if (failure === null) {
        try {
          cached = takeRecord(reader.view(slot), slotNode[slot]!, cached);
        } catch (e) {
          failure = e;
        }
      }
      reader.release(slot);
    }
    if (failure !== null) throw failure;
  }
  if (cached < count) {
    // The graph reachable from the medoid is smaller than asked: keep what was found.
    return new NodeCache(ids.slice(0, cached), bytes.slice(0, cached * stride), stride);
  }
  return new NodeCache(ids, bytes, stride);

  /** Copies node `id`'s record into the cache and queues its undiscovered neighbours; returns the new count. */
  function takeRecord(view: Uint8Array, id: number, slotsFilled: number): number {
    const at = nodeByteOffsetInSector(meta, id);
    bytes.set(view.subarray(at, at + meta.maxNodeBytes), slotsFilled * stride);
    ids[slotsFilled] = id;
    const degree = loadU32(view, at + meta.coordBytes);
    if (degree > meta.R) throw new FormatError(meta.file, `node ${id} nnbrs`, `≤ R (${meta.R})`, String(degree));
    const base = at + meta.coordBytes + 4;
    for (let k = 0; k < degree; k++) {
      const nbr = loadU32(view, base + 4 * k);
      if (nbr >= meta.npts) {
        throw new FormatError(meta.file, `node ${id} nbrs[${k}]`, `< npts (${meta.npts})`, String(nbr));
      }
      if (tail < count && seen.add(nbr)) order[tail++] = nbr;
    }
    return slotsFilled + 1;
  }
}
