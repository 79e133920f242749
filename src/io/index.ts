export { ReadCompletions, SECTOR_BYTES, type SectorReader, type ReaderBackend } from "./reader.ts";
export { SlotArena, SlotState, heapArenaMemory, nativeArenaMemory, type ArenaMemory } from "./slots.ts";
export { UringReader } from "./uring-reader.ts";
export { PreadReader } from "./pread-reader.ts";
export { openSectorReader, chooseBackend, type BackendChoice, type OpenReaderOptions } from "./open-reader.ts";
export { probeUring, type UringProbe } from "./probe.ts";
export {
  SimReader,
  type SimFault,
  type SimFaultKind,
  type SimFaultRates,
  type SimReaderOptions,
} from "./sim-reader.ts";
