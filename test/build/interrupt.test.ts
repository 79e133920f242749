// An interrupted build never leaves a file under a final name: killed mid-graph (a real process,
// SIGKILL), or aborted in the middle of writing the disk layout (every temporary file removed too).
import { afterAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { buildIndex } from "../../src/build/build-index.ts";
import type { PhaseReporter } from "../../src/build/phase-reporter.ts";
import { writeBin } from "../../src/format/bin.ts";
import { makeSynthetic } from "../../src/data/synthetic.ts";
import { makeTempDir } from "../format/tmp.ts";

const tmp = makeTempDir("build-int");
afterAll(() => tmp.cleanup());
const BUN = process.execPath;

test("SIGKILL during the graph passes leaves no final file", async () => {
  const { base } = makeSynthetic({ n: 30000, dim: 64, seed: 2 });
  const data = tmp.path("base.fbin");
  writeBin(data, "float32", base, 64);
  const child = Bun.spawn(
    [
      BUN,
      "src/cli/main.ts",
      "build",
      "--data",
      data,
      "--out",
      tmp.path("killed"),
      "--R",
      "32",
      "--L",
      "64",
      "--threads",
      "1",
    ],
    {
      cwd: `${import.meta.dir}/../..`,
      stdout: "ignore",
      stderr: "pipe",
    },
  );
  // Progress lines go to stderr (one per 10% when not a terminal); kill once the second pass has begun.
  const decoder = new TextDecoder();
  let seen = "";
  for await (const chunk of child.stderr) {
    seen += decoder.decode(chunk);
    if (seen.includes("graph pass 2")) break;
  }
  expect(seen).toContain("graph pass 2");
  child.kill("SIGKILL");
  await child.exited;
  const left = readdirSync(tmp.dir).filter((f) => f.startsWith("killed"));
  expect(left).toEqual([]);
}, 60_000);

test("abort while the disk layout is being written removes every file, temporary ones included", async () => {
  const { base } = makeSynthetic({ n: 2000, dim: 16, seed: 3 });
  const controller = new AbortController();
  const reporter: PhaseReporter = {
    start(label) {
      return {
        update() {
          if (label === "disk layout") controller.abort(new Error("stop here"));
        },
        finish: () => 0,
      };
    },
  };
  const dir = makeTempDir("build-abort");
  try {
    const run = buildIndex({
      data: base,
      dim: 16,
      outPrefix: dir.path("ab"),
      R: 16,
      L: 24,
      pqBytes: 4,
      threads: 1,
      reporter,
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow("stop here");
    expect(readdirSync(dir.dir)).toEqual([]);
  } finally {
    dir.cleanup();
  }
});

test("Ctrl-C (SIGINT) stops `ringann build` with exit 130 and leaves no file at all", async () => {
  const { base } = makeSynthetic({ n: 30000, dim: 64, seed: 4 });
  const data = tmp.path("base-int.fbin");
  writeBin(data, "float32", base, 64);
  const dir = makeTempDir("build-sigint");
  try {
    const child = Bun.spawn(
      [
        BUN,
        "src/cli/main.ts",
        "build",
        "--data",
        data,
        "--out",
        dir.path("stopped"),
        "--R",
        "32",
        "--L",
        "64",
        "--threads",
        "1",
      ],
      {
        cwd: `${import.meta.dir}/../..`,
        stdout: "ignore",
        stderr: "pipe",
      },
    );
    const decoder = new TextDecoder();
    const stderr = child.stderr.getReader();
    let seen = "";
    let signalled = false;
    for (;;) {
      const { done, value } = await stderr.read();
      if (done) break;
      seen += decoder.decode(value);
      if (!signalled && seen.includes("graph pass 1")) {
        signalled = true;
        child.kill("SIGINT");
      }
    }
    expect(signalled).toBe(true);
    expect(await child.exited).toBe(130);
    expect(seen).toContain("interrupted; no index was written");
    expect(readdirSync(dir.dir)).toEqual([]);
  } finally {
    dir.cleanup();
  }
}, 60_000);
