// No absolute path of any machine goes into the repository (code, tests, docs, benchmarks,
// examples): a fresh clone elsewhere must pass its own tests and run its own examples. Every tracked
// text file is scanned for home, workspace and scratch folders. System locations that every install
// has (the Debian dataset package under /usr/share, /proc, /dev) are fine.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");

// Built from parts so this file does not match itself.
const FOLDERS = ["work", "farm", "home", "root", "Users", "mnt", "scratch", "var/tmp", "tmp"];
const MACHINE_PATH = new RegExp(`(?<![\\w.$~-])/(?:${FOLDERS.map((f) => f.replace("/", "\\/")).join("|")})/[\\w.-]`);

function trackedFiles(): string[] {
  const p = Bun.spawnSync(["git", "ls-files", "-z"], { cwd: ROOT });
  if (p.exitCode !== 0) throw new Error(`git ls-files failed: ${p.stderr.toString()}`);
  return p.stdout.toString().split("\0").filter((f) => f !== "");
}

test("no tracked file names an absolute machine path", () => {
  const files = trackedFiles();
  expect(files.length).toBeGreaterThan(100);
  const hits: string[] = [];
  for (const file of files) {
    const bytes = readFileSync(join(ROOT, file));
    if (bytes.subarray(0, 8000).includes(0)) continue; // binary (index fixtures)
    const lines = bytes.toString("utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      const m = MACHINE_PATH.exec(lines[i]!);
      if (m !== null) hits.push(`${file}:${i + 1}: ${lines[i]!.trim().slice(0, 160)}`);
    }
  }
  expect(hits).toEqual([]);
});

test("the pattern catches what it must and spares system locations", () => {
  for (const bad of ["/wor" + "k/data/x", "see /hom" + "e/me/idx", "'/va" + "r/tmp/ringann-io.bin'", "(/tm" + "p/rk/x)"]) {
    expect(MACHINE_PATH.test(bad)).toBe(true);
  }
  for (const ok of ["/usr/share/datasets/fashion-mnist", "/proc/self/fd", "test/fixtures/x", "$DATA/idx/x", "data/work/x"]) {
    expect(MACHINE_PATH.test(ok)).toBe(false);
  }
});
