// Random 4 KiB reads over a file at a fixed queue depth: IOPS and mean latency for our readers and
// for fio's io_uring engine on the same file, so the figures sit side by side from one run.
import { closeSync, existsSync, openSync, renameSync, statSync, writeSync } from "node:fs";
import { RingannError } from "../errors.ts";
import { ReadCompletions, type SectorReader } from "./reader.ts";
import { PreadReader } from "./pread-reader.ts";
import { UringReader } from "./uring-reader.ts";

export type IoEngine = "uring" | "pread" | "fio";

export interface IoBenchRow {
  engine: IoEngine;
  depth: number;
  iops: number;
  mean_us: number;
}

/** Creates `path` with `bytes` of pseudo-random content (temp name, then rename) unless it exists with at least that size. */
export function ensureBenchFile(path: string, bytes: number, onProgress?: (done: number, total: number) => void): void {
  if (existsSync(path) && statSync(path).size >= bytes) return;
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    const chunk = new Uint8Array(1 << 22);
    const words = new Uint32Array(chunk.buffer);
    let x = 0x9e3779b9;
    for (let done = 0; done < bytes; done += chunk.length) {
      for (let i = 0; i < words.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        words[i] = x >>> 0;
      }
      writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done));
      onProgress?.(Math.min(bytes, done + chunk.length), bytes);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * How replacement reads reach the kernel: "eager" flushes each one as soon as it is submitted (one
 * system call per read, as fio does); "batch" lets them ride on the next wait (one call per batch).
 * This virtio disk completes a submitted batch together, so eager keeps more reads truly in flight.
 */
export type SubmitPolicy = "eager" | "batch";

/** Keeps `depth` random 4 KiB reads in flight for `seconds`; returns IOPS and mean submit→completion latency. */
export function measureReader(
  reader: SectorReader,
  depth: number,
  seconds: number,
  seed = 1,
  policy: SubmitPolicy = "eager",
): IoBenchRow {
  const sectors = Math.floor(reader.fileBytes / 4096);
  if (sectors < 1) throw new RingannError("E_BENCH", `Cannot benchmark ${reader.file}: smaller than one sector`);
  const out = new ReadCompletions(depth);
  const submittedAt = new Float64Array(reader.slotCount);
  let x = seed >>> 0 || 1;
  const nextSector = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % sectors;
  };
  let completed = 0;
  let latencySumMs = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  for (let i = 0; i < depth; i++) {
    const slot = reader.submit(nextSector() * 4096, 4096)!;
    submittedAt[slot] = performance.now();
  }
  let now = start;
  while (now < deadline) {
    reader.wait(1, out);
    now = performance.now();
    for (let i = 0; i < out.count; i++) {
      const slot = out.slot[i]!;
      if (out.error[i] !== null) throw out.error[i]!;
      latencySumMs += now - submittedAt[slot]!;
      completed++;
      reader.release(slot);
      const again = reader.submit(nextSector() * 4096, 4096)!;
      submittedAt[again] = now;
      if (policy === "eager") reader.flush();
    }
  }
  const elapsedS = (now - start) / 1000;
  // Drain so the next measurement starts clean.
  while (reader.inFlight > 0) {
    reader.wait(1, out);
    for (let i = 0; i < out.count; i++) if (out.error[i] === null) reader.release(out.slot[i]!);
  }
  return {
    engine: reader.backend === "uring" ? "uring" : "pread",
    depth,
    iops: completed / elapsedS,
    mean_us: (latencySumMs * 1000) / completed,
  };
}

export function measureOurs(
  engine: "uring" | "pread",
  file: string,
  depth: number,
  seconds: number,
  policy: SubmitPolicy = "eager",
): IoBenchRow {
  const opts = { slotBytes: 4096, slotCount: depth, direct: true };
  const reader = engine === "uring" ? new UringReader(file, opts) : new PreadReader(file, opts);
  try {
    return measureReader(reader, depth, seconds, 1, policy);
  } finally {
    reader.close();
  }
}

/** fio's io_uring engine, O_DIRECT random 4 KiB reads; null with a reason when fio is not installed. */
export function measureFio(file: string, depth: number, seconds: number): IoBenchRow | string {
  const which = Bun.spawnSync(["sh", "-c", "command -v fio"]);
  if (which.exitCode !== 0) return "fio is not installed (apt-get install fio)";
  const size = statSync(file).size;
  const proc = Bun.spawnSync([
    "fio",
    "--name=ringann-randread",
    `--filename=${file}`,
    "--rw=randread",
    "--bs=4k",
    "--direct=1",
    "--ioengine=io_uring",
    `--iodepth=${depth}`,
    "--numjobs=1",
    `--size=${size}`,
    `--runtime=${seconds}`,
    "--time_based",
    "--ramp_time=0",
    "--output-format=json",
  ]);
  if (proc.exitCode !== 0) return `fio failed: ${proc.stderr.toString().trim().split("\n").pop()}`;
  const text = proc.stdout.toString();
  const json = JSON.parse(text.slice(text.indexOf("{"))) as {
    jobs: { read: { iops: number; lat_ns: { mean: number } } }[];
  };
  const read = json.jobs[0]!.read;
  return { engine: "fio", depth, iops: read.iops, mean_us: read.lat_ns.mean / 1000 };
}
