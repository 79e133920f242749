// Runs a plan's steps in order. After every search step the results so far are written (JSON,
// CSV, charts), each file atomically, so a failure or an interrupt later keeps what finished.
import { mkdirSync } from "node:fs";
import { release } from "node:os";
import { RingannError } from "../../errors.ts";
import { writeCharts } from "../report/chart.ts";
import type { RunPlan, Step } from "../config/plan.ts";
import { writeReport, type JobRecord, type ReportFiles, type RunReport } from "../report/report.ts";
import type { ResultRow } from "../report/result-row.ts";
import type { RunLog } from "../report/run-log.ts";
import { runBuildStep } from "./step-build.ts";
import { runDatasetStep, runGtStep } from "./step-data.ts";
import { runSearchStep } from "./step-search.ts";
import { runServeStep } from "./step-serve.ts";

export interface RunOptions {
  readonly log: RunLog;
  /** Render SVG charts next to the results (default true). */
  readonly charts?: boolean;
}

export interface RunOutcome {
  readonly rows: ResultRow[];
  readonly jobs: JobRecord[];
  readonly files: ReportFiles;
  readonly charts: string[];
}

/** Thrown when a step fails; carries the outcome so far (already written to disk). */
export class StepFailure extends RingannError {
  readonly step: Step;
  override readonly cause: unknown;
  readonly outcome: RunOutcome;
  constructor(step: Step, cause: unknown, outcome: RunOutcome) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(cause instanceof RingannError ? cause.code : "E_STEP", `Cannot run ${step.at} (${step.label}): ${why}`);
    this.step = step;
    this.cause = cause;
    this.outcome = outcome;
  }
}

export type StepResult = { status: "done" | "reused"; detail?: string; rows?: ResultRow[] };

export async function runStep(step: Step, plan: RunPlan, log: RunLog): Promise<StepResult> {
  switch (step.kind) {
    case "dataset":
      return runDatasetStep(step, log);
    case "gt":
      return runGtStep(step, log);
    case "build":
      return runBuildStep(step, log);
    case "search":
      return { status: "done", rows: await runSearchStep(step, plan, log) };
    case "serve":
      return runServeStep(step, log);
  }
}

export async function runPlan(plan: RunPlan, options: RunOptions): Promise<RunOutcome> {
  const { log } = options;
  const started = new Date().toISOString();
  const rows: ResultRow[] = [];
  const jobs: JobRecord[] = [];
  let charts: string[] = [];
  let chartedRows = 0;
  const save = async (): Promise<ReportFiles> => {
    mkdirSync(plan.outputDir, { recursive: true });
    if ((options.charts ?? true) && rows.length > chartedRows) {
      chartedRows = rows.length;
      try {
        charts = await writeCharts(plan.outputDir, rows, plan.name);
      } catch (err) {
        // A chart is a view of the results, never a reason to lose them.
        log.info(
          `charts: cannot render (${err instanceof Error ? err.message : String(err)}); results are still written`,
        );
      }
    }
    return writeReport(plan.outputDir, report());
  };
  const report = (): RunReport => ({
    name: plan.name,
    config: plan.source,
    started,
    machine: {
      cpus: navigator.hardwareConcurrency,
      platform: `${process.platform}-${process.arch}`,
      kernel: release(),
    },
    io: plan.io,
    steps: plan.steps,
    jobs,
    rows,
    charts,
  });

  for (const note of plan.notes) log.info(`note: ${note}`);
  log.info(
    `ringann run: ${plan.name} from ${plan.source}, ${plan.steps.length} job${plan.steps.length === 1 ? "" : "s"}, results in ${plan.outputDir}`,
  );
  const total = plan.steps.length;
  for (const [i, step] of plan.steps.entries()) {
    log.info(`[${i + 1}/${total}] ${step.label}`);
    const t0 = performance.now();
    let result: StepResult;
    try {
      result = await runStep(step, plan, log);
    } catch (err) {
      const seconds = (performance.now() - t0) / 1000;
      jobs.push({
        at: step.at,
        label: step.label,
        kind: step.kind,
        status: "failed",
        seconds,
        detail: err instanceof Error ? err.message : String(err),
      });
      const files = await save();
      throw new StepFailure(step, err, { rows, jobs, files, charts });
    }
    const seconds = (performance.now() - t0) / 1000;
    jobs.push({
      at: step.at,
      label: step.label,
      kind: step.kind,
      status: result.status,
      seconds,
      ...(result.detail ? { detail: result.detail } : {}),
    });
    log.info(
      `[${i + 1}/${total}] ${step.label}: ${result.status === "reused" ? "reused" : "done"} in ${seconds.toFixed(1)}s${result.detail ? ` (${result.detail})` : ""}`,
    );
    if (result.rows) {
      rows.push(...result.rows);
      await save();
    }
  }
  const files = await save();
  return { rows, jobs, files, charts };
}
