// strict: true holds for the whole tree (src, test, bench, scripts): tsc must report nothing.
import { expect, test } from "bun:test";
import { join } from "node:path";

test("tsc --noEmit (strict) reports no errors", () => {
  const root = join(import.meta.dir, "..");
  const proc = Bun.spawnSync(
    [process.execPath, join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", root],
    { cwd: root, env: { ...process.env, BUN_BE_BUN: "1" } },
  );
  const output = proc.stdout.toString() + proc.stderr.toString();
  if (proc.exitCode !== 0) console.log(output);
  expect(proc.exitCode).toBe(0);
}, 120_000);

test("no `any` in src/", () => {
  const glob = new Bun.Glob("src/**/*.ts");
  const offenders: string[] = [];
  for (const file of glob.scanSync({ cwd: join(import.meta.dir, "..") })) {
    const text = require("node:fs").readFileSync(join(import.meta.dir, "..", file), "utf8") as string;
    text.split("\n").forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "");
      if (/(:\s*any\b|<any>|\bas any\b|any\[\])/.test(code)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  expect(offenders).toEqual([]);
});
