// The one place tests find their fixtures. Everything a test reads either lives under
// test/fixtures/ (resolved from this file, so a fresh clone anywhere passes) or is built here,
// once per test process, from data the setup installs (the dataset-fashion-mnist package).
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildIndex } from "../src/build/build-index.ts";
import { writeBin } from "../src/format/bin.ts";
import { FASHION_MNIST_DIR, loadFashionMnist } from "../src/data/fashion-mnist.ts";

const FIXTURES_DIR = join(import.meta.dir, "fixtures");

/** Absolute path of `test/fixtures/<parts...>`, wherever the repository is checked out. */
export function fixturePath(...parts: string[]): string {
  return join(FIXTURES_DIR, ...parts);
}

/** The index PipeANN wrote (test/fixtures/pipeann-syn10k/README.md). */
export const PIPEANN = {
  dir: fixturePath("pipeann-syn10k"),
  /** Index prefix: `<prefix>_disk.index`, `_pq_pivots.bin`, `_pq_compressed.bin`, `_mem.index`. */
  prefix: fixturePath("pipeann-syn10k", "syn10k"),
  base: fixturePath("pipeann-syn10k", "base.fbin"),
  queries: fixturePath("pipeann-syn10k", "query.fbin"),
  gt: fixturePath("pipeann-syn10k", "gt100.bin"),
  figures: fixturePath("pipeann-syn10k", "pipeann-figures.txt"),
} as const;

export interface BuiltFixture {
  /** Index prefix (ringann-built: sidecar, entry graph). */
  prefix: string;
  /** Query vectors as a .u8bin file. */
  queries: string;
  npts: number;
  dim: number;
}

let fmnistBuild: Promise<BuiltFixture> | null = null;
let builtDir: string | null = null;

/**
 * A small Fashion-MNIST index (the first 2,000 training images, 784-d uint8, R 32, L 64, PQ 32 B,
 * entry graph) and 100 test images as queries, built once per test process into a temp dir that
 * is removed at exit. Takes a few seconds on two cores.
 */
export function smallFmnistIndex(): Promise<BuiltFixture> {
  fmnistBuild ??= (async () => {
    const npts = 2000;
    const nq = 100;
    const { base, queries } = loadFashionMnist();
    const dim = base.dim;
    builtDir = mkdtempSync(join(tmpdir(), "ringann-fixture-fmnist-"));
    process.once("exit", () => {
      if (builtDir !== null) rmSync(builtDir, { recursive: true, force: true });
    });
    const queriesFile = join(builtDir, "queries.u8bin");
    writeBin(queriesFile, "uint8", queries.data.subarray(0, nq * dim), dim);
    const prefix = join(builtDir, "fmnist2k");
    await buildIndex({
      data: base.data.subarray(0, npts * dim), dim, type: "uint8", outPrefix: prefix, metric: "l2", R: 32, L: 64, threads: 2,
    });
    return { prefix, queries: queriesFile, npts, dim };
  })();
  return fmnistBuild;
}

/** A file of the Fashion-MNIST package (dataset-fashion-mnist, installed by scripts/setup.sh). */
export function fashionMnistFile(name: "train-images-idx3-ubyte.gz" | "t10k-images-idx3-ubyte.gz" | "t10k-labels-idx1-ubyte.gz"): string {
  return join(FASHION_MNIST_DIR, name);
}

/**
 * dist/ringann, fresh. Under CI the setup step compiled it: it must be there. Elsewhere it is
 * (re)built when missing or older than src/.
 */
export function ensureBinary(binary = join(import.meta.dir, "..", "dist", "ringann")): string {
  const root = join(import.meta.dir, "..");
  const ci = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false" && process.env.CI !== "0";
  if (ci) {
    if (!existsSync(binary)) throw new Error(`${binary} is missing: .ci/run compiles it (scripts/setup.sh → scripts/compile.sh) before the tests`);
    return binary;
  }
  const newestSource = Math.max(...[...new Bun.Glob("src/**/*.ts").scanSync({ cwd: root })].map((f) => statSync(join(root, f)).mtimeMs));
  if (existsSync(binary) && statSync(binary).mtimeMs >= newestSource) return binary;
  const built = Bun.spawnSync(["bash", join(root, "scripts/compile.sh")], { cwd: root });
  if (built.exitCode !== 0) throw new Error(`scripts/compile.sh failed:\n${built.stderr.toString()}`);
  return binary;
}
