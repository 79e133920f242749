// Does io_uring work here, and if not, why? Used to pick a backend and by `ringann doctor`.
import { readFileSync } from "node:fs";
import { EINVAL, ENOMEM, ENOSYS, EPERM, errnoName } from "./errno.ts";
import { native } from "./native.ts";

export interface UringProbe {
  readonly available: boolean;
  /** 0 when available, else the positive errno of the failing step. */
  readonly errno: number;
  /** One sentence for a person: why not, and what to do. */
  readonly reason: string;
  /** kernel.io_uring_disabled (0 enabled, 1 restricted, 2 disabled), or null when the sysctl is absent. */
  readonly sysctlDisabled: number | null;
  /** RLIMIT_MEMLOCK soft limit in bytes, -1 when unlimited. */
  readonly memlockBytes: number;
}

let cached: UringProbe | null = null;

export function probeUring(): UringProbe {
  if (cached) return cached;
  const lib = native();
  const sysctlDisabled = readSysctl("/proc/sys/kernel/io_uring_disabled");
  const memlockBytes = lib.rn_memlock_limit();
  const result = lib.rn_probe();
  const errno = result < 0 ? -result : 0;
  cached = {
    available: errno === 0,
    errno,
    reason: explain(errno, sysctlDisabled, memlockBytes),
    sysctlDisabled,
    memlockBytes,
  };
  return cached;
}

function explain(errno: number, sysctlDisabled: number | null, memlockBytes: number): string {
  if (errno === 0) return "io_uring works (ring set up, NOP round trip completed)";
  switch (errno) {
    case ENOSYS:
      return "ENOSYS: this kernel has no io_uring (too old, or built without CONFIG_IO_URING)";
    case EPERM:
      if (sysctlDisabled === 2) return "EPERM: io_uring is disabled by sysctl kernel.io_uring_disabled=2";
      if (sysctlDisabled === 1)
        return "EPERM: io_uring is restricted by sysctl kernel.io_uring_disabled=1 (this process is not privileged nor in io_uring_group)";
      return "EPERM: io_uring is blocked by a seccomp filter (container runtimes such as Docker's default profile deny it)";
    case ENOMEM:
      return `ENOMEM: cannot lock ring memory; RLIMIT_MEMLOCK is ${memlockBytes < 0 ? "unlimited" : memlockBytes + " bytes"} (raise it with ulimit -l)`;
    case EINVAL:
      return "EINVAL: the kernel rejected the ring parameters (kernel too old for liburing's setup?)";
    default:
      return `${errnoName(errno)}: io_uring setup failed`;
  }
}

function readSysctl(path: string): number | null {
  try {
    const n = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}
