// Dataset and ground-truth steps: thin calls into src/data, plus the reuse stamp so a rerun of the
// same config does not regenerate data that is already there.
import { writeFashionMnist, writeGlove100, writeSynthetic, type DatasetWritten } from "../../data/datasets.ts";
import { runGroundTruth } from "../../data/gt-run.ts";
import { RingannError } from "../../errors.ts";
import { writeTruth } from "../../format/truth.ts";
import { openVectorFile } from "../../format/vector-file.ts";
import type { Vectors } from "../../format/vector-type.ts";
import type { StepResult } from "./jobs.ts";
import type { DatasetStep, GtStep } from "../config/plan.ts";
import type { RunLog } from "../report/run-log.ts";
import { canReuse, fileIdentity, stampOf, writeStamp } from "./stamp.ts";

export async function runDatasetStep(step: DatasetStep, log: RunLog): Promise<StepResult> {
  const stamp = stampOf(step);
  if (canReuse(step, stamp)) return { status: "reused", detail: step.dir };
  const opts = {
    quiet: log.quiet,
    log: (line: string) => log.info(line),
    ...(step.synthetic ? { k: step.synthetic.k } : {}),
  };
  let written: DatasetWritten;
  switch (step.source) {
    case "synthetic": {
      const s = step.synthetic!;
      written = await writeSynthetic(
        step.dir,
        { n: s.n, dim: s.dim, clusters: s.clusters, seed: s.seed, queries: s.queries, intrinsicDim: s.intrinsicDim },
        opts,
      );
      break;
    }
    case "fashion-mnist":
      written = await writeFashionMnist(step.dir, opts);
      break;
    case "glove-100":
      written = await writeGlove100(step.dir, opts);
      break;
  }
  writeStamp(step, stamp);
  const m = written.paths.manifest;
  return {
    status: "done",
    detail: `${m.counts.base} x ${m.dim} ${m.type} base, ${m.counts.queries} queries, ${m.metric}, in ${step.dir}`,
  };
}

export async function runGtStep(step: GtStep, log: RunLog): Promise<StepResult> {
  const stamp = stampOf(step, { base: fileIdentity(step.base), queries: fileIdentity(step.queries) });
  if (canReuse(step, stamp)) return { status: "reused", detail: step.out };
  const base = openVectorFile(step.base);
  try {
    const qFile = openVectorFile(step.queries);
    let data: Vectors;
    try {
      if (qFile.type === "int32")
        throw new RingannError(
          "E_FORMAT",
          `Cannot use ${qFile.file} as queries: int32 vectors (.ivecs); expected float32, uint8 or int8`,
        );
      data = qFile.readRows(0, qFile.npts) as Vectors;
    } finally {
      qFile.close();
    }
    const queries = { npts: qFile.npts, dim: qFile.dim, type: qFile.type, data };
    const run = await runGroundTruth(base, queries, {
      k: step.k,
      metric: step.metric,
      quiet: log.quiet,
      label: `${step.label} (distances)`,
    });
    writeTruth(step.out, run.truth);
    writeStamp(step, stamp);
    return {
      status: "done",
      detail: `${queries.npts} queries x k ${step.k} (${step.metric}), ${(run.distancesPerSecond / 1e6).toFixed(1)} M distances/s`,
    };
  } finally {
    base.close();
  }
}
