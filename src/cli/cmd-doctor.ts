// `ringann doctor`: is this machine ready? Kernel, io_uring (and why not), O_DIRECT on a
// directory, the backend ringann will use.
import { release, cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { chooseBackend } from "../io/open-reader.ts";
import { probeUring } from "../io/probe.ts";
import { probeDirectIo } from "../io/direct-probe.ts";
import { nativeLibraryPath } from "../io/native.ts";
import { BATCH_WHEN_SUBMIT_OVER_DEVICE, chooseSubmitPolicy, measureSubmitCostIn } from "../io/submit-cost.ts";
import { flagBool, flagString, parseArgs, renderHelp, type FlagSpec } from "./args.ts";
import type { Command } from "./command.ts";

const FLAGS: Record<string, FlagSpec> = {
  dir: { type: "string", help: "directory whose filesystem is checked for O_DIRECT", default: "." },
  json: { type: "boolean", help: "print one JSON object instead of the table" },
};

export const command: Command = {
  name: "doctor",
  summary: "check kernel, io_uring, O_DIRECT and the chosen I/O backend",
  help: renderHelp(
    "ringann doctor [--dir DIR] [--json]",
    "Checks what ringann needs from this machine: the kernel, whether io_uring works (and if not, why:\n" +
      "ENOSYS, seccomp EPERM, kernel.io_uring_disabled, RLIMIT_MEMLOCK), whether DIR's filesystem supports\n" +
      "O_DIRECT, which I/O backend searches will use (RINGANN_IO=uring|pread forces one), and what one read\n" +
      "submission costs against a read's device time there — the search's submission policy (eager or batch).\n" +
      "Exit code 0 when io_uring and O_DIRECT both work, 1 otherwise.",
    FLAGS,
    ["ringann doctor", "ringann doctor --dir data --json", "RINGANN_IO=pread ringann doctor"],
  ),
  async run(argv) {
    const args = parseArgs(argv, FLAGS);
    const dir = resolve(flagString(args, "dir") ?? ".");
    const uring = probeUring();
    const backend = chooseBackend("auto", () => {});
    const direct = probeDirectIo(dir, backend);
    const cost = direct.direct ? measureSubmitCostIn(dir, backend) : null;
    const policy = backend === "uring" ? chooseSubmitPolicy(cost) : "eager";
    const report = {
      kernel: release(),
      cpus: cpus().length,
      memory_gib: Math.round(totalmem() / 2 ** 30),
      bun: Bun.version,
      native_library: nativeLibraryPath(),
      io_uring: {
        available: uring.available,
        reason: uring.reason,
        io_uring_disabled: uring.sysctlDisabled,
        memlock_bytes: uring.memlockBytes,
      },
      o_direct: { dir: direct.dir, supported: direct.direct, read_back_ok: direct.readBack, detail: direct.detail },
      backend,
      forced_by_env: process.env.RINGANN_IO ?? null,
      submit: {
        policy,
        submit_us: cost?.submitUs ?? null,
        device_us: cost?.deviceUs ?? null,
        defer_taskrun: cost?.deferTaskrun ?? null,
      },
    };
    if (flagBool(args, "json")) {
      console.log(JSON.stringify(report));
    } else {
      const mark = (ok: boolean) => (ok ? "ok  " : "FAIL");
      const lines = [
        `kernel        ${report.kernel} (${report.cpus} cores, ${report.memory_gib} GiB, Bun ${report.bun})`,
        `io_uring      ${mark(uring.available)} ${uring.reason}`,
        `              kernel.io_uring_disabled=${uring.sysctlDisabled ?? "absent"}, RLIMIT_MEMLOCK=${uring.memlockBytes < 0 ? "unlimited" : uring.memlockBytes + " B"}`,
        `O_DIRECT      ${mark(direct.direct && direct.readBack)} ${dir}: ${direct.detail}`,
        `backend       ${backend}${report.forced_by_env ? ` (RINGANN_IO=${report.forced_by_env})` : " (auto)"}`,
        `submit        ${policy}` +
          (cost === null
            ? " (not measured)"
            : ` — one submission ${cost.submitUs.toFixed(1)} µs (median), ` +
              `a 4 KiB read ${cost.deviceUs.toFixed(0)} µs (least); batch when submitting costs ≥ ` +
              `${BATCH_WHEN_SUBMIT_OVER_DEVICE} of a read${cost.deferTaskrun ? "; task work deferred to waits" : ""}`),
      ];
      console.log(lines.join("\n"));
    }
    return uring.available && direct.direct && direct.readBack ? 0 : 1;
  },
};
