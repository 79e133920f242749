// Runs: JSON configs of jobs (dataset, gt, build, search, sweep, DiskANN's disk-index), search
// Workers sharing one copy of an index, results as JSON/CSV and SVG charts.
//   const plan = loadConfigFile("configs/fashion-mnist.json");
//   const { rows, files, charts } = await runPlan(plan, { log: new RunLog(false) });
export { loadConfigFile, planFromJson, type PlanOptions } from "./config/config.ts";
export { RunConfig, type RunConfigInput } from "./config/config-schema.ts";
export { runPlan, StepFailure, type RunOptions, type RunOutcome } from "./exec/jobs.ts";
export type { RunPlan, Step, SearchStep, BuildStep, DatasetStep, GtStep } from "./config/plan.ts";
export type { ResultRow } from "./report/result-row.ts";
export { RunLog } from "./report/run-log.ts";
export { writeReport, type RunReport } from "./report/report.ts";
export { writeCharts } from "./report/chart.ts";
export { formatTable } from "./report/table.ts";
export { DEMO_CONFIG } from "./config/demo.ts";
export { SearchPool, terminateAllPools } from "./exec/pool.ts";
export { loadSharedIndex, type SharedIndexParts } from "./exec/shared-index.ts";
