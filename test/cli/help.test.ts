// `--help` teaches the command asked for: a subcommand's help is its own, not every sibling's.
import { expect, test } from "bun:test";
import { join } from "node:path";

const MAIN = join(import.meta.dir, "../../src/cli/main.ts");
const help = (...argv: string[]): string => {
  const p = Bun.spawnSync([process.execPath, MAIN, ...argv, "--help"]);
  expect(p.exitCode).toBe(0);
  return p.stdout.toString();
};

test("bench serve --help shows the load generator only; bench --help shows both benchmarks", () => {
  const serve = help("bench", "serve");
  expect(serve.startsWith("Usage: ringann bench serve")).toBe(true);
  expect(serve).toContain("--rate");
  expect(serve).not.toContain("ringann bench io");
  const io = help("bench", "io");
  expect(io.startsWith("Usage: ringann bench io")).toBe(true);
  expect(io).not.toContain("ringann bench serve");
  const both = help("bench");
  expect(both).toContain("ringann bench io");
  expect(both).toContain("ringann bench serve");
});
