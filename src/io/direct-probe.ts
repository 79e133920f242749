// Can this directory's filesystem do O_DIRECT? Writes a small file, reads it back through the
// chosen reader with O_DIRECT, and removes it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openSectorReader } from "./open-reader.ts";
import { ReadCompletions } from "./reader.ts";
import { UringReader } from "./uring-reader.ts";
import { PreadReader } from "./pread-reader.ts";

export interface DirectProbe {
  readonly dir: string;
  readonly direct: boolean;
  readonly readBack: boolean;
  readonly detail: string;
}

export function probeDirectIo(dir: string, backend: "uring" | "pread"): DirectProbe {
  let tmpDir: string;
  try {
    tmpDir = mkdtempSync(join(dir, ".ringann-doctor-"));
  } catch (err) {
    return { dir, direct: false, readBack: false, detail: `cannot create a file there: ${(err as Error).message}` };
  }
  try {
    const file = join(tmpDir, "probe.bin");
    const bytes = new Uint8Array(8192);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 255;
    writeFileSync(file, bytes);
    const reader = openSectorReader(file, { slotBytes: 4096, slotCount: 2, backend, direct: true });
    try {
      const direct = reader instanceof UringReader || reader instanceof PreadReader ? reader.direct : false;
      const slot = reader.submit(4096, 4096);
      const out = new ReadCompletions(2);
      reader.wait(1, out);
      if (slot === null || out.count !== 1 || out.error[0] !== null) {
        return { dir, direct, readBack: false, detail: out.error[0]?.message ?? "read did not complete" };
      }
      const view = reader.view(out.slot[0]!);
      let same = true;
      for (let i = 0; i < 4096; i++) if (view[i] !== bytes[4096 + i]) same = false;
      reader.release(out.slot[0]!);
      return {
        dir,
        direct,
        readBack: same,
        detail: direct
          ? "O_DIRECT open and aligned read succeeded"
          : "filesystem refused O_DIRECT (EINVAL); reads would go through the page cache",
      };
    } finally {
      reader.close();
    }
  } catch (err) {
    return { dir, direct: false, readBack: false, detail: (err as Error).message };
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
}
