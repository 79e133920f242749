// Killed at any moment, nothing half-written: `dist/ringann build | gt | dataset | run` is SIGKILLed
// at seeded random moments of its run (0 .. 1.1 × the time a clean run takes); afterwards every file
// under a final name must be complete (each is parsed by the reader of its format), and running
// the same command again in the same folder must succeed. Temporary files (".name.tmp-*") may stay
// behind — no process can clean up after SIGKILL — and are ignored by the rerun.
//   RINGANN_KILLS=N   kills per command (default 2)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { readBin } from "../../src/format/bin.ts";
import { parseDiskIndexHeader } from "../../src/format/disk-index.ts";
import { parseSidecar } from "../../src/format/index-sidecar.ts";
import { parseMemIndexGraph, parseMemIndexTags } from "../../src/format/mem-index.ts";
import { parsePqCompressed, parsePqPivots } from "../../src/format/pq-files.ts";
import { readTruth } from "../../src/format/truth.ts";
import { rng } from "../search/tiny-index.ts";
import { ensureBinary } from "../fixtures.ts";

const KILLS = Number(process.env.RINGANN_KILLS ?? 2);
let binary: string;
let dir: string;

beforeAll(() => {
  binary = ensureBinary();
  dir = mkdtempSync(join(tmpdir(), "ringann-kill9-"));
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function isTemp(name: string): boolean {
  return name.startsWith(".") && name.includes(".tmp-");
}

/** Every file under `root` with a final name, checked by its format's reader; returns the names. */
function checkComplete(root: string): string[] {
  const seen: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) {
        walk(path);
        continue;
      }
      if (isTemp(e.name)) continue;
      seen.push(path.slice(root.length + 1));
      checkFile(path);
    }
  };
  walk(root);
  return seen;
}

function checkFile(path: string): void {
  const name = basename(path);
  const bytes = () => new Uint8Array(readFileSync(path));
  if (name.endsWith("_disk.index")) parseDiskIndexHeader(bytes().subarray(0, 4096), path, statSync(path).size, "float32");
  else if (name.endsWith("_pq_pivots.bin")) parsePqPivots(bytes(), path);
  else if (name.endsWith("_pq_compressed.bin")) parsePqCompressed(bytes(), path);
  else if (name.endsWith("_mem.index")) parseMemIndexGraph(bytes(), path);
  else if (name.endsWith("_mem.index.data")) readBin(path, "float32");
  else if (name.endsWith("_mem.index.tags")) parseMemIndexTags(bytes(), path);
  else if (name.endsWith("_ringann.json")) parseSidecar(readFileSync(path, "utf8"), path);
  else if (/^gt.*\.bin$/.test(name)) readTruth(path);
  else if (/\.(fbin|u8bin|i8bin)$/.test(name)) readBin(path);
  else if (name.endsWith(".json")) JSON.parse(readFileSync(path, "utf8"));
  else if (name.endsWith(".csv")) {
    const text = readFileSync(path, "utf8");
    const lines = text.trimEnd().split("\n");
    if (!text.endsWith("\n") || lines.some((l) => l.split(",").length !== lines[0]!.split(",").length)) throw new Error(`${path}: a cut CSV`);
  } else if (name.endsWith(".svg")) {
    if (!readFileSync(path, "utf8").trimEnd().endsWith("</svg>")) throw new Error(`${path}: a cut SVG`);
  } else throw new Error(`${path}: a file this test does not know how to check`);
}

function runClean(argv: string[], cwd: string): number {
  const t0 = performance.now();
  const p = Bun.spawnSync([binary, ...argv], { cwd, stdout: "ignore", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`ringann ${argv.join(" ")} exited ${p.exitCode}: ${p.stderr.toString().slice(-2000)}`);
  return performance.now() - t0;
}

async function killAt(argv: string[], cwd: string, afterMs: number): Promise<number | null> {
  const child = Bun.spawn([binary, ...argv], { cwd, stdout: "ignore", stderr: "ignore" });
  const done = await Promise.race([child.exited.then(() => true), Bun.sleep(afterMs).then(() => false)]);
  if (!done) child.kill("SIGKILL");
  await child.exited;
  return done ? child.exitCode : null;
}

/**
 * A clean run (timed; its outputs checked), then KILLS × (run killed at a seeded moment in a fresh
 * folder seeded with `prepare`, check what it left, rerun there, check again).
 */
async function killSwarm(name: string, seed: number, argvIn: (out: string) => string[], prepare: (out: string) => void): Promise<void> {
  const clean = join(dir, `${name}-clean`);
  prepare(clean);
  const ms = runClean(argvIn(clean), clean);
  expect(checkComplete(clean).length).toBeGreaterThan(0);
  const r = rng(seed);
  for (let k = 0; k < KILLS; k++) {
    const out = join(dir, `${name}-kill${k}`);
    prepare(out);
    const at = r() * ms * 1.1;
    const exit = await killAt(argvIn(out), out, at);
    try {
      checkComplete(out);
      runClean(argvIn(out), out);
      checkComplete(out);
    } catch (err) {
      throw new Error(`${name}: killed after ${at.toFixed(0)} ms of ~${ms.toFixed(0)} (seed ${seed}, kill ${k}${exit !== null ? `, it had exited ${exit}` : ""}): ` +
        (err instanceof Error ? err.message : String(err)));
    }
  }
}

let data: string;

function fresh(out: string): void {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
}

describe("kill -9 at a random moment leaves only complete files; a rerun succeeds", () => {
  test("ringann dataset", async () => {
    await killSwarm("dataset", 11, (out) => ["dataset", "synthetic", join(out, "d"), "--n", "3000", "--dim", "32", "--queries", "100", "--seed", "3", "--quiet"],
      fresh);
    data = join(dir, "dataset-clean", "d");
  }, 600_000);

  test("ringann gt", async () => {
    await killSwarm("gt", 12, (out) => ["gt", "--base", join(data, "base.fbin"), "--queries", join(data, "queries.fbin"), "--out", join(out, "gt50.bin"), "--k", "50"],
      fresh);
  }, 600_000);

  test("ringann build", async () => {
    await killSwarm("build", 13, (out) => ["build", "--data", join(data, "base.fbin"), "--out", join(out, "idx", "syn"), "--R", "16", "--L", "32", "--pq-bytes", "8", "--threads", "2", "--quiet"],
      fresh);
  }, 600_000);

  test("ringann run (dataset, build, search; results, CSV and charts written at the end)", async () => {
    const config = {
      name: "k9", output: "results",
      jobs: [
        { type: "dataset", source: "synthetic", dir: "data", n: 2000, dim: 16, queries: 50, seed: 5, k: 10 },
        { type: "build", dataset: "data", out: "idx/k9", R: 16, L: 32, pq_bytes: 8 },
        { type: "search", index: "idx/k9", dataset: "data", L: [10, 20], mode: ["beam", "pipe"], width: 4, k: 10 },
      ],
    };
    await killSwarm("run", 14, (out) => ["run", join(out, "k9.json"), "--quiet"], (out) => {
      fresh(out);
      writeFileSync(join(out, "k9.json"), JSON.stringify(config));
    });
  }, 600_000);
});
