// `ringann run [CONFIG.json]`: runs a config's jobs (dataset, gt, build, search, sweep, and DiskANN's
// disk-index), then prints the table and where the results and charts are. No argument: the
// built-in demo, written under ./ringann-demo.
import { resolve } from "node:path";
import { RingannError, UsageError } from "../errors.ts";
import { loadConfigFile, planFromJson } from "../run/config/config.ts";
import { IO_BACKENDS, type IoBackendChoice } from "../run/config/config-schema.ts";
import { DEMO_CONFIG, DEMO_DIR_DEFAULT } from "../run/config/demo.ts";
import { exitCodeFor, EXIT_INTERRUPTED } from "../exit-codes.ts";
import { runPlan, StepFailure, type RunOutcome } from "../run/exec/jobs.ts";
import type { RunPlan } from "../run/config/plan.ts";
import { terminateAllPools } from "../run/exec/pool.ts";
import { stopAllServeSteps } from "../run/exec/step-serve.ts";
import { RunLog } from "../run/report/run-log.ts";
import { formatTable } from "../run/report/table.ts";
import { flagBool, flagString, parseArgs, renderHelp, type FlagSpec } from "./args.ts";
import { EXIT_OK, type Command } from "./command.ts";

const FLAGS: Record<string, FlagSpec> = {
  out: {
    type: "string",
    help: 'results folder (default: the config\'s "output", else results/<name> next to the config)',
  },
  dir: {
    type: "string",
    help: "where the built-in demo writes its data, index and results",
    default: DEMO_DIR_DEFAULT,
  },
  io: { type: "string", help: 'I/O backend: auto | uring | pread (default: the config\'s "io", else auto)' },
  check: { type: "boolean", help: "validate the config and print the plan; run nothing" },
  "no-charts": { type: "boolean", help: "do not render the SVG charts" },
  quiet: { type: "boolean", help: "no progress bars or status lines (stdout keeps the table)" },
  json: { type: "boolean", help: "print one JSON document on stdout: {rows, results, charts, jobs}" },
  "print-demo": { type: "boolean", help: "print the built-in demo config (a template for your own) and exit" },
};

const HELP = renderHelp(
  "ringann run [CONFIG.json] [flags]",
  [
    "Runs the jobs of a JSON config in order: dataset, gt, build, search, sweep — or DiskANN's",
    'benchmark jobs (type "disk-index", Load/Build source, search_phase with BeamSearch/PipeSearch).',
    "Relative paths resolve against the config's folder. Search and sweep jobs take lists for",
    "L, mode, width, threads and concurrency; results go to results.json, results.csv and SVG charts.",
    "Without CONFIG, runs the built-in demo (synthetic data, build, beam vs pipe) in --dir.",
    "",
    'Config: { "name", "output", "io", "search_directories", "jobs": [ ... ] }; job types and fields',
    "([...] optional; * also takes a list, which sweeps it):",
    "  dataset     source (synthetic|fashion-mnist|glove-100), dir [n, queries, dim, clusters, intrinsic_dim, seed, k]",
    "  gt          base, queries, out [k, metric]",
    "  build       data | dataset, out [metric, R, L, alpha, pq_bytes, threads, ram_gb, entry_graph, seed]",
    "  search,     index, dataset | queries + gt [k, L*, mode*, width*, threads*, concurrency*, cache_nodes,",
    "  sweep         cache_bytes, io_limit, adaptive_width, entry_graph, max_queries, warmup_queries,",
    '                order (sequential|interleaved), wait (block|spin|yield), pin]; threads: "auto" = one per core',
    '  disk-index  DiskANN\'s benchmark job: content.source ("disk-index-source": Load | Build) and',
    "              content.search_phase (search_mode: BeamSearch | PipeSearch)",
    'dataset, gt and build are skipped when an identical earlier run left their outputs ("reuse": false forces).',
    "`ringann run --print-demo` prints a complete example.",
    "",
    "Exit codes: 0 done; 1 a job failed; 2 bad config or flags; 3 environment (io_uring, missing",
    "package); 130 interrupted (finished jobs' results are kept, no file is left half-written).",
  ].join("\n"),
  FLAGS,
  ["ringann run", "ringann run configs/fashion-mnist.json --json", "ringann run --check configs/diskann-example.json"],
);

export const command: Command = {
  name: "run",
  summary: "run a JSON config of jobs (no argument: the built-in demo)",
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    if (flagBool(args, "print-demo")) {
      console.log(JSON.stringify(DEMO_CONFIG, null, 2));
      return EXIT_OK;
    }
    if (args.positionals.length > 1)
      throw new UsageError(
        `Expected at most one config file, got ${args.positionals.length}: ${args.positionals.join(" ")}`,
      );
    const io = flagString(args, "io");
    if (io !== undefined && !(IO_BACKENDS as readonly string[]).includes(io))
      throw new UsageError(`--io expects one of ${IO_BACKENDS.join(", ")}, got '${io}'`);
    const quiet = flagBool(args, "quiet");
    const json = flagBool(args, "json");
    const overrides = {
      ...(flagString(args, "out") !== undefined ? { outputDir: resolve(flagString(args, "out")!) } : {}),
      ...(io !== undefined ? { io: io as IoBackendChoice } : {}),
    };
    const configFile = args.positionals[0];
    const plan =
      configFile !== undefined ? loadConfigFile(configFile, overrides) : demoPlan(flagString(args, "dir")!, overrides);
    if (configFile === undefined && !quiet) {
      process.stderr.write(
        `ringann: running the built-in demo in ${plan.baseDir} (\`ringann run --help\` for configs)\n`,
      );
    }
    if (flagBool(args, "check")) {
      printPlan(plan, json);
      return EXIT_OK;
    }
    const log = new RunLog(quiet);
    const stop = installInterruptHandler(plan);
    try {
      const outcome = await runPlan(plan, { log, charts: !flagBool(args, "no-charts") });
      printOutcome(outcome, json);
      return EXIT_OK;
    } catch (err) {
      if (!(err instanceof StepFailure)) throw err;
      printOutcome(err.outcome, json);
      process.stderr.write(`ringann run: ${err.message}\n`);
      if (err.cause instanceof Error && !(err.cause instanceof RingannError) && err.cause.stack)
        process.stderr.write(`${err.cause.stack}\n`);
      return exitCodeFor(err.cause);
    } finally {
      stop();
    }
  },
};

function demoPlan(dir: string, overrides: { outputDir?: string; io?: IoBackendChoice }): RunPlan {
  const baseDir = resolve(dir);
  return planFromJson(DEMO_CONFIG, { source: "(built-in demo)", baseDir, defaultName: "demo", ...overrides });
}

function printOutcome(outcome: RunOutcome, json: boolean): void {
  if (json) {
    console.log(
      JSON.stringify({ rows: outcome.rows, results: outcome.files, charts: outcome.charts, jobs: outcome.jobs }),
    );
    return;
  }
  if (outcome.rows.length > 0) console.log(formatTable(outcome.rows));
  console.log(`\nresults: ${outcome.files.json}\n         ${outcome.files.csv}`);
  if (outcome.charts.length > 0) console.log(`charts:  ${outcome.charts.join("\n         ")}`);
}

function printPlan(plan: RunPlan, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(plan));
    return;
  }
  console.log(
    `${plan.name}: ${plan.steps.length} job(s) from ${plan.source}; results in ${plan.outputDir}; io ${plan.io}`,
  );
  for (const note of plan.notes) console.log(`note: ${note}`);
  for (const step of plan.steps) {
    const { at, label, kind, ...rest } = step;
    console.log(`  ${at} ${kind} "${label}": ${JSON.stringify(rest)}`);
  }
}

/** Ctrl-C: stop the search Workers and exit 130. Results are only ever renamed into place, so
 * whatever is on disk under a final name is complete. A second Ctrl-C exits at once. */
function installInterruptHandler(plan: RunPlan): () => void {
  let interrupted = false;
  const handler = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    interrupted = true;
    process.stderr.write(`\nringann run: ${signal}: stopping; results of finished jobs are in ${plan.outputDir}\n`);
    void Promise.all([terminateAllPools(), stopAllServeSteps()]).finally(() => process.exit(EXIT_INTERRUPTED));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
