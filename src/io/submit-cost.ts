// What handing one read to the kernel costs here, next to what the device takes to serve it —
// measured when an index opens, so the search can choose its submission policy for this machine
// (search/driver.ts SubmitPolicy): where a submission is a VM exit (a virtio disk: tens of µs of CPU
// per io_uring_enter) batching reads into the next wait pays; where it is cheap next to the read
// (bare-metal NVMe: ~1–2 µs against ~80 µs) sending each read at once keeps the device busiest.
// One probe: submit one read (timed: the system call alone), then wait for it (timed: the device).
// The reads are of the index file, spread over it.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ReadCompletions, type SectorReader } from "./reader.ts";
import { UringReader } from "./uring-reader.ts";

export interface SubmitCost {
  /**
   * Median wall time of one submit-only system call carrying one read (µs). The median, not the
   * least: on a virtio disk a call costs ~6 µs when the host happens to be polling the queue and
   * 25–40 µs when it must be woken (a VM exit), and what a search pays is the usual case.
   */
  submitUs: number;
  /**
   * Least time from the submission to the read's completion (µs): the device's service time (the
   * least, as load only ever adds to it; measured from the call's start, as a read may complete
   * before the call returns when the host polls the queue).
   */
  deviceUs: number;
  probes: number;
}

/** Submission costs at least this share of the device time → batch (see chooseSubmitPolicy). */
export const BATCH_WHEN_SUBMIT_OVER_DEVICE = 0.1;

/**
 * Times `probes` single reads of `readBytes` at sector-aligned offsets spread over the file. The
 * reader must be idle (nothing in flight) and is left idle. Returns null for a reader without a
 * separate submission step (pread: the read is the system call) or when the file is too small.
 */
export function measureSubmitCost(reader: SectorReader, readBytes: number, probes = 24): SubmitCost | null {
  if (reader.backend !== "uring" || reader.inFlight !== 0) return null;
  const sectors = Math.floor((reader.fileBytes - readBytes) / 4096);
  if (sectors < 1) return null;
  const out = new ReadCompletions(1);
  const submit = new Float64Array(probes);
  const device = new Float64Array(probes);
  let x = 0x9e3779b9;
  for (let i = 0; i < probes; i++) {
    x = (Math.imul(x ^ (x >>> 16), 0x45d9f3b) ^ i) >>> 0;
    const slot = reader.submit((x % sectors) * 4096, readBytes);
    if (slot === null) return null;
    const t0 = performance.now();
    reader.flush();
    const t1 = performance.now();
    reader.wait(1, out);
    const t2 = performance.now();
    if (out.error[0] === null) reader.release(out.slot[0]!);
    submit[i] = (t1 - t0) * 1000;
    device[i] = (t2 - t0) * 1000;
  }
  return { submitUs: median(submit), deviceUs: Math.min(...device), probes };
}

/** "batch" when a submission costs ≥ BATCH_WHEN_SUBMIT_OVER_DEVICE of a read's device time. */
export function chooseSubmitPolicy(cost: SubmitCost | null): "eager" | "batch" {
  if (cost === null || cost.deviceUs <= 0) return "eager";
  return cost.submitUs >= BATCH_WHEN_SUBMIT_OVER_DEVICE * cost.deviceUs ? "batch" : "eager";
}

function median(v: Float64Array): number {
  const s = v.slice().sort();
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * measureSubmitCost on a scratch file of `bytes` made in `dir` (synced, then removed): what
 * `ringann doctor` reports. Null when io_uring is not the backend or the file cannot be made.
 */
export function measureSubmitCostIn(
  dir: string,
  backend: "uring" | "pread",
  bytes = 8 << 20,
): (SubmitCost & { deferTaskrun: boolean }) | null {
  if (backend !== "uring") return null;
  let tmp: string;
  try {
    tmp = mkdtempSync(join(dir, ".ringann-doctor-"));
  } catch {
    return null;
  }
  try {
    const file = join(tmp, "submit-cost.bin");
    const fd = openSync(file, "w");
    try {
      writeSync(fd, new Uint8Array(bytes));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const reader = new UringReader(file, { slotBytes: 4096, slotCount: 2 });
    try {
      const cost = measureSubmitCost(reader, 4096);
      return cost === null ? null : { ...cost, deferTaskrun: reader.deferTaskrun };
    } finally {
      reader.close();
    }
  } catch {
    return null;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
