// The single executable: built by scripts/compile.sh (setup does it; built here when missing),
// copied alone to another directory, runs `doctor` there.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../io/helpers.ts";

const root = join(import.meta.dir, "../..");
const binary = join(root, "dist/ringann");
let tmp: { dir: string; cleanup: () => void };

beforeAll(() => {
  if (!existsSync(binary)) {
    const built = Bun.spawnSync(["bash", join(root, "scripts/compile.sh")], { cwd: root });
    if (built.exitCode !== 0) throw new Error(`scripts/compile.sh failed:\n${built.stderr.toString()}`);
  }
  tmp = tempDir("ringann-bin-");
});
afterAll(() => tmp?.cleanup());

test("the compiled binary runs doctor after being copied alone elsewhere", () => {
  const copy = join(tmp.dir, "ringann");
  copyFileSync(binary, copy);
  Bun.spawnSync(["chmod", "+x", copy]);
  const proc = Bun.spawnSync([copy, "doctor", "--json", "--dir", tmp.dir], {
    cwd: tmp.dir,
    env: { PATH: "/usr/bin:/bin" },
  });
  const stdout = proc.stdout.toString();
  expect(proc.stderr.toString()).toBe("");
  const report = JSON.parse(stdout) as {
    io_uring: { available: boolean };
    backend: string;
    o_direct: { supported: boolean };
  };
  expect(report.io_uring.available).toBe(true);
  expect(report.backend).toBe("uring");
  expect(report.o_direct.supported).toBe(true);
  expect(proc.exitCode).toBe(0);
}, 120_000);

test("the compiled binary explains itself", () => {
  const proc = Bun.spawnSync([binary, "--help"]);
  expect(proc.exitCode).toBe(0);
  expect(proc.stdout.toString()).toContain("Usage: ringann <command>");
  const bad = Bun.spawnSync([binary, "frobnicate"]);
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr.toString()).toContain("unknown command 'frobnicate'");
});
