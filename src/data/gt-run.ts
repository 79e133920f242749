// Ground truth with a progress bar (rate and ETA on stderr) and the figures worth reporting.
import { Progress } from "../progress/progress.ts";
import type { Truth } from "../format/truth.ts";
import { computeGroundTruth, type BaseRows, type GroundTruthOptions, type InMemoryVectors } from "./ground-truth.ts";

export interface GroundTruthRun {
  readonly truth: Truth;
  readonly seconds: number;
  readonly distances: number;
  readonly distancesPerSecond: number;
}

export async function runGroundTruth(
  base: BaseRows,
  queries: InMemoryVectors,
  opts: Omit<GroundTruthOptions, "onProgress"> & { label?: string; quiet?: boolean },
): Promise<GroundTruthRun> {
  const distances = base.npts * queries.npts;
  const progress = new Progress(opts.label ?? "ground truth (distances)", distances, { quiet: opts.quiet });
  const startMs = performance.now();
  const truth = await computeGroundTruth(base, queries, { ...opts, onProgress: (done) => progress.update(done) });
  progress.update(distances);
  progress.finish();
  const seconds = (performance.now() - startMs) / 1000;
  return { truth, seconds, distances, distancesPerSecond: distances / seconds };
}
