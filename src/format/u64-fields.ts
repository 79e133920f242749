// Little-endian integer fields shared by the DiskANN index parsers (disk index header, PQ pivots,
// entry graph). DiskANN stores sizes as uint64; JavaScript numbers are exact only to 2^53, so every
// read checks that bound and reports the file and field instead of silently rounding.
import { FormatError } from "../errors.ts";

export function dataViewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads a uint64 at `offset` as an exact number, or throws naming file and field. */
export function readU64(view: DataView, offset: number, file: string, field: string): number {
  if (offset + 8 > view.byteLength) {
    throw new FormatError(
      file,
      field,
      `8 bytes at offset ${offset}`,
      `only ${Math.max(0, view.byteLength - offset)} bytes`,
    );
  }
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FormatError(file, field, `a value ≤ 2^53`, value.toString());
  }
  return Number(value);
}

export function readU32(view: DataView, offset: number, file: string, field: string): number {
  if (offset + 4 > view.byteLength) {
    throw new FormatError(
      file,
      field,
      `4 bytes at offset ${offset}`,
      `only ${Math.max(0, view.byteLength - offset)} bytes`,
    );
  }
  return view.getUint32(offset, true);
}

export function readI32(view: DataView, offset: number, file: string, field: string): number {
  if (offset + 4 > view.byteLength) {
    throw new FormatError(
      file,
      field,
      `4 bytes at offset ${offset}`,
      `only ${Math.max(0, view.byteLength - offset)} bytes`,
    );
  }
  return view.getInt32(offset, true);
}

export function writeU64(view: DataView, offset: number, value: number): void {
  view.setBigUint64(offset, BigInt(value), true);
}

/** A uint32 stored little-endian at any (possibly unaligned) byte offset. Allocation-free. */
export function loadU32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

export function storeU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}
