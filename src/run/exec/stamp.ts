// "Reuse" for the expensive steps (dataset, gt, build): after a step succeeds, a small stamp file
// records its parameters next to its outputs. Running the same config again skips the step when
// the stamp matches and the outputs are still there; any change of parameters rebuilds.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../format/atomic-file.ts";
import type { BuildStep, DatasetStep, GtStep } from "../config/plan.ts";

type StampedStep = DatasetStep | GtStep | BuildStep;

export function stampPath(step: StampedStep): string {
  switch (step.kind) {
    case "dataset":
      return join(step.dir, ".ringann-run.json");
    case "gt":
      return `${step.out}.ringann-run.json`;
    case "build":
      return `${step.out}.ringann-run.json`;
  }
}

/** Files whose presence the stamp vouches for. */
export function stampedOutputs(step: StampedStep): string[] {
  switch (step.kind) {
    case "dataset":
      return [join(step.dir, "manifest.json")];
    case "gt":
      return [step.out];
    case "build":
      return [`${step.out}_disk.index`, `${step.out}_pq_pivots.bin`, `${step.out}_pq_compressed.bin`];
  }
}

/** The parameters that decide the outputs (not labels, not where in the config the job sits). */
export function stampOf(step: StampedStep, inputs: Record<string, unknown> = {}): string {
  const { at: _at, label: _label, reuse: _reuse, ...params } = step;
  return JSON.stringify({ params, inputs });
}

export function canReuse(step: StampedStep, stamp: string): boolean {
  if (!step.reuse) return false;
  const path = stampPath(step);
  if (!existsSync(path) || !stampedOutputs(step).every((f) => existsSync(f))) return false;
  try {
    return readFileSync(path, "utf8").trim() === stamp;
  } catch {
    return false;
  }
}

export function writeStamp(step: StampedStep, stamp: string): void {
  writeFileAtomic(stampPath(step), stamp + "\n");
}

/** Size and modification time of an input: a changed input invalidates the stamp. */
export function fileIdentity(path: string): { bytes: number; mtimeMs: number } | null {
  try {
    const s = Bun.file(path);
    return { bytes: s.size, mtimeMs: Math.round(s.lastModified) };
  } catch {
    return null;
  }
}
