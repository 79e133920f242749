// A small real index for the run tests: a seeded synthetic dataset (clusters in a low-dimensional
// subspace) with exact ground truth, and its disk index built by ringann's builder — written to a
// temp folder on the real disk, searched through io_uring with O_DIRECT like any other index.
import { writeSynthetic } from "../../src/data/datasets.ts";
import { buildIndex } from "../../src/build/build-index.ts";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../io/helpers.ts";

export interface RunFixture {
  readonly dir: string;
  readonly dataDir: string;
  readonly prefix: string;
  readonly cleanup: () => void;
}

export async function makeRunFixture(opts: { n?: number; dim?: number; queries?: number } = {}): Promise<RunFixture> {
  const tmp = tempDir("ringann-run-");
  const dataDir = join(tmp.dir, "data");
  await writeSynthetic(
    dataDir,
    { n: opts.n ?? 4000, dim: opts.dim ?? 32, clusters: 12, seed: 3, queries: opts.queries ?? 200, intrinsicDim: 8 },
    { k: 20, quiet: true, log: () => {} },
  );
  const prefix = join(tmp.dir, "index", "syn");
  mkdirSync(join(tmp.dir, "index"));
  await buildIndex({
    data: join(dataDir, "base.fbin"),
    outPrefix: prefix,
    R: 24,
    L: 48,
    pqBytes: 8,
    threads: 1,
    seed: 1,
  });
  return { dir: tmp.dir, dataDir, prefix, cleanup: tmp.cleanup };
}
