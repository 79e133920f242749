// `<prefix>_disk.index`: the DiskANN sector layout (docs/disk-format.md).
// Sector 0 is a .bin of uint64 values: npts, ndims, medoid, max_node_len, nnodes_per_sector,
// num_frozen, frozen_loc, then writer-specific values (DiskANN C++: append_reorder_data, file size;
// PipeANN: file size twice). Node i lives in sector 1 + i / nnodes_per_sector at byte
// (i % nnodes_per_sector) * max_node_len; a node larger than a sector starts its own run of
// ceil(max_node_len / 4096) sectors. Record: T coords[dim] | u32 nnbrs | u32 nbrs[nnbrs] | zeros.
// Pure functions of bytes: parsing checks every field against the others and the file size.
import { FormatError } from "../errors.ts";
import { SECTOR_BYTES } from "./sector.ts";
import { bytesPerElement, type VectorType, type Vectors, viewVectors } from "./vector-type.ts";
import { dataViewOf, loadU32, readI32, readU64, storeU32, writeU64 } from "./u64-fields.ts";

/** Which writer's sector-0 shape the header has. Readers only rely on the first seven values. */
export type DiskHeaderVariant = "diskann-cpp" | "pipeann" | "other";

export interface DiskIndexMeta {
  readonly file: string;
  readonly type: VectorType;
  readonly npts: number;
  readonly dim: number;
  readonly medoid: number;
  /** Bytes reserved per node record (coords + degree + R neighbour slots). */
  readonly maxNodeBytes: number;
  /** Nodes per 4 KiB sector; 0 when a node spans several sectors. */
  readonly nodesPerSector: number;
  /** Sectors one node read covers: 1 when nodes pack into sectors, ceil(maxNodeBytes/4096) otherwise. */
  readonly sectorsPerNode: number;
  readonly numFrozen: number;
  readonly frozenLoc: number;
  /** Maximum degree, derived: (maxNodeBytes - coordBytes) / 4 - 1. */
  readonly R: number;
  /** dim * sizeof(T): bytes of the coordinates at the start of each record. */
  readonly coordBytes: number;
  /** Sectors after sector 0 that hold nodes. */
  readonly nodeSectors: number;
  /** Size of the header + node sectors; the file may be longer only with appended reorder data. */
  readonly layoutBytes: number;
  readonly headerVariant: DiskHeaderVariant;
  /** nr: the count of uint64 values in sector 0. */
  readonly headerValueCount: number;
  readonly appendReorderData: boolean;
}

/** The shape of a layout before any file exists (what a writer needs). */
export interface DiskLayoutShape {
  readonly npts: number;
  readonly dim: number;
  readonly type: VectorType;
  readonly R: number;
}

export interface DiskLayout {
  readonly maxNodeBytes: number;
  readonly nodesPerSector: number;
  readonly sectorsPerNode: number;
  readonly nodeSectors: number;
  readonly layoutBytes: number;
  readonly coordBytes: number;
}

/** Computes where every record goes for a given shape (the same arithmetic DiskANN's writer uses). */
export function diskLayoutFor(shape: DiskLayoutShape): DiskLayout {
  const coordBytes = shape.dim * bytesPerElement(shape.type);
  const maxNodeBytes = coordBytes + (shape.R + 1) * 4;
  const nodesPerSector = Math.floor(SECTOR_BYTES / maxNodeBytes);
  const sectorsPerNode = nodesPerSector > 0 ? 1 : Math.ceil(maxNodeBytes / SECTOR_BYTES);
  const nodeSectors = nodesPerSector > 0 ? Math.ceil(shape.npts / nodesPerSector) : shape.npts * sectorsPerNode;
  return {
    maxNodeBytes,
    nodesPerSector,
    sectorsPerNode,
    nodeSectors,
    layoutBytes: (nodeSectors + 1) * SECTOR_BYTES,
    coordBytes,
  };
}

const MIN_HEADER_VALUES = 7;
const MAX_HEADER_VALUES = (SECTOR_BYTES - 8) / 8;

/**
 * Parses and validates sector 0. `bytes` is at least the header (normally the whole first sector);
 * `fileBytes` is the size of the file on disk; `type` is the element type of the coordinates (the
 * header does not record it, so the caller says which — from the sidecar or an option).
 */
export function parseDiskIndexHeader(
  bytes: Uint8Array,
  file: string,
  fileBytes: number,
  type: VectorType,
): DiskIndexMeta {
  const view = dataViewOf(bytes);
  const nr = readI32(view, 0, file, "header nr");
  const nc = readI32(view, 4, file, "header nc");
  if (nr < MIN_HEADER_VALUES || nr > MAX_HEADER_VALUES) {
    throw new FormatError(file, "header nr", `${MIN_HEADER_VALUES}..${MAX_HEADER_VALUES} uint64 values`, String(nr));
  }
  if (nc !== 1) throw new FormatError(file, "header nc", "1", String(nc));
  const value = (i: number, field: string): number => readU64(view, 8 + 8 * i, file, field);
  const npts = value(0, "npts");
  const dim = value(1, "ndims");
  const medoid = value(2, "medoid");
  const maxNodeBytes = value(3, "max_node_len");
  const nodesPerSector = value(4, "nnodes_per_sector");
  const numFrozen = value(5, "num_frozen_points");
  const frozenLoc = value(6, "frozen_point_loc");

  if (npts < 1 || npts > 0xffffffff)
    throw new FormatError(file, "npts", "1..2^32-1 (neighbour ids are uint32)", String(npts));
  if (dim < 1 || dim > 1 << 20) throw new FormatError(file, "ndims", "1..2^20", String(dim));
  if (medoid >= npts) throw new FormatError(file, "medoid", `< npts (${npts})`, String(medoid));
  const coordBytes = dim * bytesPerElement(type);
  const nbrBytes = maxNodeBytes - coordBytes;
  if (nbrBytes < 8 || nbrBytes % 4 !== 0) {
    throw new FormatError(
      file,
      "max_node_len",
      `ndims*sizeof(${type}) + (R+1)*4 with R ≥ 1 (= ${coordBytes} + a multiple of 4 ≥ 8); is the vector type right?`,
      String(maxNodeBytes),
    );
  }
  const R = nbrBytes / 4 - 1;
  const expectedPerSector = Math.floor(SECTOR_BYTES / maxNodeBytes);
  if (nodesPerSector !== expectedPerSector) {
    throw new FormatError(
      file,
      "nnodes_per_sector",
      `floor(4096 / max_node_len ${maxNodeBytes}) = ${expectedPerSector}`,
      String(nodesPerSector),
    );
  }
  if (numFrozen > 1) throw new FormatError(file, "num_frozen_points", "0 or 1", String(numFrozen));
  if (numFrozen === 1 && frozenLoc >= npts)
    throw new FormatError(file, "frozen_point_loc", `< npts (${npts})`, String(frozenLoc));

  const layout = diskLayoutFor({ npts, dim, type, R });
  if (fileBytes < layout.layoutBytes) {
    throw new FormatError(
      file,
      "file size",
      `≥ ${layout.layoutBytes} bytes (1 + ${layout.nodeSectors} sectors for ${npts} nodes)`,
      `${fileBytes} bytes`,
    );
  }

  // Writer-specific tail: identify it and check any recorded file size.
  let headerVariant: DiskHeaderVariant = "other";
  let appendReorderData = false;
  const v7 = nr > 7 ? value(7, "header value 7") : -1;
  const v8 = nr > 8 ? value(8, "header value 8") : -1;
  if (nr >= 9 && (v7 === 0 || v7 === 1) && v8 === fileBytes) {
    headerVariant = "diskann-cpp";
    appendReorderData = v7 === 1;
  } else if (nr >= 8 && v7 === fileBytes && (nr === 8 || v8 === fileBytes)) {
    headerVariant = "pipeann";
  } else if (nr >= 9 && (v7 === 0 || v7 === 1)) {
    throw new FormatError(file, "header file_size (value 8)", `${fileBytes} (the file's size)`, String(v8));
  } else if (nr >= 8 && v7 > SECTOR_BYTES) {
    throw new FormatError(file, "header file_size (value 7)", `${fileBytes} (the file's size)`, String(v7));
  }
  if (!appendReorderData && fileBytes !== layout.layoutBytes && headerVariant !== "other") {
    throw new FormatError(
      file,
      "file size",
      `${layout.layoutBytes} bytes (1 + ${layout.nodeSectors} node sectors)`,
      `${fileBytes} bytes`,
    );
  }

  return {
    file,
    type,
    npts,
    dim,
    medoid,
    maxNodeBytes,
    nodesPerSector,
    sectorsPerNode: layout.sectorsPerNode,
    numFrozen,
    frozenLoc,
    R,
    coordBytes,
    nodeSectors: layout.nodeSectors,
    layoutBytes: layout.layoutBytes,
    headerVariant,
    headerValueCount: nr,
    appendReorderData,
  };
}

export interface DiskHeaderFields extends DiskLayoutShape {
  readonly medoid: number;
  readonly numFrozen?: number;
  readonly frozenLoc?: number;
}

/**
 * Encodes sector 0 in DiskANN C++'s shape: nr=9 {npts, ndims, medoid, max_node_len,
 * nnodes_per_sector, num_frozen, frozen_loc, append_reorder_data=0, file_size}, zero-padded to 4096.
 */
export function encodeDiskIndexHeader(fields: DiskHeaderFields): Uint8Array {
  const layout = diskLayoutFor(fields);
  const out = new Uint8Array(SECTOR_BYTES);
  const view = dataViewOf(out);
  view.setInt32(0, 9, true);
  view.setInt32(4, 1, true);
  const values = [
    fields.npts,
    fields.dim,
    fields.medoid,
    layout.maxNodeBytes,
    layout.nodesPerSector,
    fields.numFrozen ?? 0,
    fields.frozenLoc ?? 0,
    0,
    layout.layoutBytes,
  ];
  for (let i = 0; i < values.length; i++) writeU64(view, 8 + 8 * i, values[i]!);
  return out;
}

// ---- Node addressing -------------------------------------------------------------------------
// `sector` below is the buffer holding the read for one node (sectorsPerNode * 4096 bytes starting
// at nodeSectorIndex(meta, id) * 4096); offsets are relative to it.

type NodeAddressing = Pick<DiskIndexMeta, "nodesPerSector" | "sectorsPerNode" | "maxNodeBytes">;

/** Sector number (from the start of the file) where node `id` begins. */
export function nodeSectorIndex(meta: NodeAddressing, id: number): number {
  return meta.nodesPerSector > 0 ? 1 + Math.floor(id / meta.nodesPerSector) : 1 + id * meta.sectorsPerNode;
}

/** Byte offset of node `id`'s record inside the buffer that starts at its sector. */
export function nodeByteOffsetInSector(meta: NodeAddressing, id: number): number {
  return meta.nodesPerSector > 0 ? (id % meta.nodesPerSector) * meta.maxNodeBytes : 0;
}

/** Bytes one node read must fetch (whole sectors). */
export function nodeReadBytes(meta: NodeAddressing): number {
  return meta.sectorsPerNode * SECTOR_BYTES;
}

/** Node `id`'s degree, validated against R. Allocation-free. */
export function nodeDegree(meta: DiskIndexMeta, sector: Uint8Array, id: number): number {
  const at = nodeByteOffsetInSector(meta, id) + meta.coordBytes;
  if (at + 4 > sector.length)
    throw new FormatError(meta.file, `node ${id} nnbrs`, `within the ${sector.length}-byte read`, `offset ${at}`);
  const n = loadU32(sector, at);
  if (n > meta.R) throw new FormatError(meta.file, `node ${id} nnbrs`, `≤ R (${meta.R})`, String(n));
  return n;
}

/**
 * Copies node `id`'s neighbour ids into `out` (capacity ≥ R) and returns their count, checking the
 * degree against R and every id against npts. (Self-loops are harmless to a reader, so they are not
 * rejected here; ringann's builder never writes them.)
 */
export function decodeNodeNeighbors(meta: DiskIndexMeta, sector: Uint8Array, id: number, out: Uint32Array): number {
  const n = nodeDegree(meta, sector, id);
  const base = nodeByteOffsetInSector(meta, id) + meta.coordBytes + 4;
  for (let k = 0; k < n; k++) {
    const nbr = loadU32(sector, base + 4 * k);
    if (nbr >= meta.npts)
      throw new FormatError(meta.file, `node ${id} nbrs[${k}]`, `< npts (${meta.npts})`, String(nbr));
    out[k] = nbr;
  }
  return n;
}

/** Copies node `id`'s coordinates into `out` at `outOffset` (elements). */
export function decodeNodeCoords(
  meta: DiskIndexMeta,
  sector: Uint8Array,
  id: number,
  out: Vectors,
  outOffset: number,
): void {
  const at = nodeByteOffsetInSector(meta, id);
  const coords = viewVectors(meta.type, sector.buffer, sector.byteOffset + at, meta.dim);
  out.set(coords, outOffset);
}

/**
 * Writes node `id`'s record into `sector` (the buffer starting at its sector; zeroed by the caller):
 * coords from `vectors` at element `vectorOffset`, then the degree and neighbours.
 */
export function encodeNode(
  layout: DiskLayout & { readonly dim: number; readonly type: VectorType },
  sector: Uint8Array,
  id: number,
  vectors: Vectors,
  vectorOffset: number,
  neighbors: Uint32Array,
  neighborsOffset: number,
  degree: number,
): void {
  const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  encodeNodeFromBytes(
    layout,
    sector,
    id,
    bytes,
    vectorOffset * vectors.BYTES_PER_ELEMENT,
    neighbors,
    neighborsOffset,
    degree,
  );
}

/** encodeNode with the coords given as bytes (a writer streaming millions of nodes makes the view once). */
export function encodeNodeFromBytes(
  layout: DiskLayout,
  sector: Uint8Array,
  id: number,
  vectorBytes: Uint8Array,
  vectorByteOffset: number,
  neighbors: Uint32Array,
  neighborsOffset: number,
  degree: number,
): void {
  const at = nodeByteOffsetInSector(layout, id);
  for (let b = 0; b < layout.coordBytes; b++) sector[at + b] = vectorBytes[vectorByteOffset + b]!;
  storeU32(sector, at + layout.coordBytes, degree);
  const base = at + layout.coordBytes + 4;
  for (let k = 0; k < degree; k++) storeU32(sector, base + 4 * k, neighbors[neighborsOffset + k]!);
}
