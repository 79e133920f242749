// The README's library example is real code: extract it, run it, check what it prints.
import { expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");

test("the README's library example runs and finds the neighbours", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const marker = readme.indexOf("<!-- readme-example");
  expect(marker).toBeGreaterThan(0);
  const start = readme.indexOf("```ts\n", marker) + "```ts\n".length;
  const code = readme.slice(start, readme.indexOf("```", start));
  const file = join(root, `.readme-example-${process.pid}.ts`);
  writeFileSync(file, code);
  try {
    const proc = Bun.spawnSync([process.execPath, file], { cwd: root, env: { ...process.env, BUN_BE_BUN: "1" } });
    const out = proc.stdout.toString();
    if (proc.exitCode !== 0) console.log(out, proc.stderr.toString());
    expect(proc.exitCode).toBe(0);
    expect(out).toMatch(/built in [0-9.]+ s/);
    const recall = Number(/recall@10 = ([0-9.]+)/.exec(out)?.[1]);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  } finally {
    rmSync(file, { force: true });
  }
}, 120_000);
