// Runs: JSON configs of jobs (dataset, gt, build, search, sweep, DiskANN's disk-index), search
// Workers sharing one copy of an index, results as JSON/CSV and SVG charts.
//   const plan = loadConfigFile("configs/fashion-mnist.json");
//   const { rows, files, charts } = await runPlan(plan, { log: new RunLog(false) });
export { loadConfigFile, planFromJson, type PlanOptions } from "./config.ts";
export { RunConfig, type RunConfigInput } from "./config-schema.ts";
export { runPlan, StepFailure, type RunOptions, type RunOutcome } from "./jobs.ts";
export type { RunPlan, Step, SearchStep, BuildStep, DatasetStep, GtStep } from "./plan.ts";
export type { ResultRow } from "./result-row.ts";
export { RunLog } from "./run-log.ts";
export { writeReport, type RunReport } from "./report.ts";
export { writeCharts } from "./chart.ts";
export { formatTable } from "./table.ts";
export { DEMO_CONFIG } from "./demo.ts";
export { SearchPool, terminateAllPools } from "./pool.ts";
export { loadSharedIndex, type SharedIndexParts } from "./shared-index.ts";
