// Build steps: a call into src/build with a progress bar per phase, skipped when an identical
// build (same parameters, same input file) already wrote the index.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { buildIndex } from "../../build/build-index.ts";
import { ProgressReporter } from "../../build/phase-reporter.ts";
import { readManifest } from "../../data/manifest.ts";
import { ConfigError } from "../../errors.ts";
import { openVectorFile } from "../../format/vector-file.ts";
import type { Metric } from "../../format/vector-type.ts";
import type { StepResult } from "./jobs.ts";
import type { BuildStep } from "../config/plan.ts";
import type { RunLog } from "../report/run-log.ts";
import { canReuse, fileIdentity, stampOf, writeStamp } from "./stamp.ts";

export async function runBuildStep(step: BuildStep, log: RunLog): Promise<StepResult> {
  const manifest = step.dataset !== null ? readManifest(step.dataset) : null;
  const data = step.data ?? manifest!.base;
  const metric: Metric = step.metric ?? manifest?.manifest.metric ?? "l2";
  if (step.expect !== null) checkDiskannData(step, data);
  const stamp = stampOf(step, { data, metric, file: fileIdentity(data) });
  if (canReuse(step, stamp)) return { status: "reused", detail: `${step.out}_disk.index` };
  mkdirSync(dirname(step.out), { recursive: true });
  const result = await buildIndex({
    data,
    outPrefix: step.out,
    metric,
    R: step.R,
    L: step.L,
    alpha: step.alpha,
    pqBytes: step.pqBytes,
    threads: step.threads,
    seed: step.seed,
    entryGraph: step.entryGraph,
    reporter: new ProgressReporter(log.quiet),
    ...(step.ramGb !== null ? { ramGb: step.ramGb } : {}),
  });
  writeStamp(step, stamp);
  return {
    status: "done",
    detail:
      `${result.npts} x ${result.dim} ${result.type} ${result.metric}, R=${result.R} L=${result.L} PQ ${result.pqBytes} B, ` +
      `${result.seconds.toFixed(1)} s, peak ${result.peakRssMb.toFixed(0)} MB`,
  };
}

/** DiskANN's Build source states the data type and dimension: hold the file to them. */
function checkDiskannData(step: BuildStep, data: string): void {
  const file = openVectorFile(data, { type: step.expect!.type });
  try {
    const problems: string[] = [];
    if (file.type !== step.expect!.type)
      problems.push(
        `${step.at}.content.source.data_type: expected the data's type ${file.type}, found "${step.expect!.type}"`,
      );
    if (file.dim !== step.expect!.dim)
      problems.push(
        `${step.at}.content.source.dim: expected the data's dimension ${file.dim}, found ${step.expect!.dim}`,
      );
    if (problems.length > 0) throw new ConfigError(data, problems);
  } finally {
    file.close();
  }
}
