// Picks the backend (RINGANN_IO=uring|pread forces one; otherwise the probe decides) and opens a
// SectorReader on a file. When io_uring is unavailable the engine says so once and uses pread.
import { RingannError } from "../errors.ts";
import { PreadReader } from "./pread-reader.ts";
import { probeUring } from "./probe.ts";
import type { SectorReader } from "./reader.ts";
import { UringReader } from "./uring-reader.ts";

export type BackendChoice = "auto" | "uring" | "pread";

export interface OpenReaderOptions {
  slotBytes: number;
  slotCount: number;
  backend?: BackendChoice;
  /** O_DIRECT (default true), so the page cache stays out of measurements. */
  direct?: boolean;
  sqpoll?: boolean;
  /** Where to say that io_uring is unavailable (default: stderr, once per process). */
  warn?: (message: string) => void;
}

let warned = false;

/** The backend that `auto` resolves to here, honouring RINGANN_IO. */
export function chooseBackend(requested: BackendChoice = "auto", warn?: (message: string) => void): "uring" | "pread" {
  const env = process.env.RINGANN_IO;
  let choice = requested;
  if (choice === "auto" && env !== undefined && env !== "") {
    if (env !== "uring" && env !== "pread" && env !== "auto") {
      throw new RingannError("E_CONFIG", `Invalid RINGANN_IO='${env}': expected uring, pread or auto`);
    }
    choice = env;
  }
  if (choice === "pread") return "pread";
  const probe = probeUring();
  if (choice === "uring") {
    if (!probe.available)
      throw new RingannError("E_URING_UNAVAILABLE", `Cannot use io_uring (forced): ${probe.reason}`);
    return "uring";
  }
  if (probe.available) return "uring";
  if (!warned) {
    warned = true;
    (warn ?? ((m: string) => process.stderr.write(m + "\n")))(
      `ringann: io_uring unavailable — ${probe.reason}; falling back to pread (slower)`,
    );
  }
  return "pread";
}

export function openSectorReader(path: string, opts: OpenReaderOptions): SectorReader {
  const backend = chooseBackend(opts.backend ?? "auto", opts.warn);
  const common = { slotBytes: opts.slotBytes, slotCount: opts.slotCount, direct: opts.direct ?? true };
  return backend === "uring"
    ? new UringReader(path, { ...common, sqpoll: opts.sqpoll ?? false })
    : new PreadReader(path, common);
}
