// The argument checks every SectorReader's submit() makes before taking a slot, in one place so
// the kernel readers and the in-memory test reader reject the same requests with the same codes.
import { IoError } from "../errors.ts";
import { SECTOR_BYTES } from "./reader.ts";

/** Throws E_ALIGN, E_TOO_LONG or E_PAST_EOF unless [offset, offset+length) is a valid read. */
export function checkReadRequest(
  file: string,
  fileBytes: number,
  slotBytes: number,
  offset: number,
  length: number,
): void {
  if (offset % SECTOR_BYTES !== 0 || length % SECTOR_BYTES !== 0 || length <= 0 || offset < 0) {
    throw new IoError(
      "read",
      0,
      file,
      offset,
      `offset and length must be positive multiples of ${SECTOR_BYTES} (length ${length})`,
      "E_ALIGN",
    );
  }
  if (length > slotBytes) {
    throw new IoError("read", 0, file, offset, `length ${length} exceeds the slot size ${slotBytes}`, "E_TOO_LONG");
  }
  if (offset + length > fileBytes) {
    throw new IoError(
      "read",
      0,
      file,
      offset,
      `read of ${length} bytes goes past the end of the file (${fileBytes} bytes)`,
      "E_PAST_EOF",
    );
  }
}
