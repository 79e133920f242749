// Loads a run config: JSON → zod (every problem, with its JSON path) → cross-field checks →
// a RunPlan with absolute paths. Relative paths resolve against the config file's folder; DiskANN
// input files (data, queries, groundtruth) are first looked up in `search_directories`.
import { readFileSync } from "node:fs";
import { basename, dirname, extname, resolve } from "node:path";
import { ConfigError } from "../../errors.ts";
import { formatIssues } from "./config-issues.ts";
import {
  RunConfig,
  type IoBackendChoice,
  type JobInput,
  type RunConfigInput,
  type SearchMode,
  type WaitStrategy,
} from "./config-schema.ts";
import { diskIndexSteps } from "./diskann-plan.ts";
import { filterFields } from "./filter-plan.ts";
import { checkInputs } from "./plan-inputs.ts";
import { DEFAULTS, SEARCH_STEP_DEFAULTS, type RunPlan, type Step } from "./plan.ts";
import { defaultThreads, type StepContext } from "./step-context.ts";

export interface PlanOptions {
  /** Shown in messages: the config file, or "(built-in demo)". */
  readonly source: string;
  /** Folder relative paths resolve against. */
  readonly baseDir: string;
  /** Run name when the config has none. */
  readonly defaultName: string;
  /** Overrides the config's `output`. */
  readonly outputDir?: string;
  /** Overrides the config's `io`. */
  readonly io?: IoBackendChoice;
  /** Check that every input exists or is made by an earlier job (default true). */
  readonly checkFiles?: boolean;
}

/** Reads and validates a config file. Throws ConfigError listing every problem. */
export function loadConfigFile(
  file: string,
  overrides: Pick<PlanOptions, "outputDir" | "io" | "checkFiles"> = {},
): RunPlan {
  const abs = resolve(file);
  let textContent: string;
  try {
    textContent = readFileSync(abs, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unknown error";
    throw new ConfigError(abs, [`cannot read the config file (${code})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(textContent);
  } catch (err) {
    throw new ConfigError(abs, [`not valid JSON: ${(err as Error).message}`]);
  }
  const name = basename(abs, extname(abs));
  return planFromJson(json, { source: abs, baseDir: dirname(abs), defaultName: name, ...overrides });
}

/** Validates parsed JSON and resolves it into a plan. Throws ConfigError listing every problem. */
export function planFromJson(json: unknown, options: PlanOptions): RunPlan {
  const parsed = RunConfig.safeParse(json, { reportInput: true });
  if (!parsed.success) throw new ConfigError(options.source, formatIssues(parsed.error.issues));
  const config = parsed.data;
  const problems: string[] = [];
  const notes: string[] = [];
  const baseDir = resolve(options.baseDir);
  const searchDirs = (config.search_directories ?? []).map((d) => resolve(baseDir, d));
  const steps: Step[] = [];
  config.jobs.forEach((job, i) => {
    steps.push(...jobSteps(job, `jobs[${i}]`, { baseDir, searchDirs, problems, notes }));
  });
  if (options.checkFiles ?? true) problems.push(...checkInputs(steps));
  if (problems.length > 0) throw new ConfigError(options.source, problems);
  const name = config.name ?? options.defaultName;
  return {
    source: options.source,
    name,
    baseDir,
    outputDir: options.outputDir ? resolve(options.outputDir) : resolve(baseDir, config.output ?? `results/${name}`),
    io: options.io ?? config.io ?? "auto",
    steps,
    notes,
  };
}

function jobSteps(job: JobInput, at: string, ctx: StepContext): Step[] {
  const p = (path: string) => resolve(ctx.baseDir, path);
  const reuse = ("reuse" in job ? job.reuse : undefined) ?? true;
  switch (job.type) {
    case "dataset": {
      const synth = job.source === "synthetic";
      if (!synth) {
        for (const key of ["n", "queries", "dim", "clusters", "intrinsic_dim", "seed", "k"] as const) {
          if (job[key] !== undefined)
            ctx.problems.push(`${at}.${key}: only for source "synthetic", found it with source "${job.source}"`);
        }
      }
      const d = DEFAULTS.synthetic;
      const dim = job.dim ?? d.dim;
      const intrinsicDim = job.intrinsic_dim ?? Math.min(d.intrinsicDim, dim);
      if (intrinsicDim > dim)
        ctx.problems.push(`${at}.intrinsic_dim: expected at most dim (${dim}), found ${intrinsicDim}`);
      return [
        {
          kind: "dataset",
          at,
          label: job.name ?? `dataset ${job.source}`,
          reuse,
          source: job.source,
          dir: p(job.dir),
          synthetic: synth
            ? {
                n: job.n ?? d.n,
                queries: job.queries ?? d.queries,
                dim,
                clusters: job.clusters ?? d.clusters,
                intrinsicDim,
                seed: job.seed ?? d.seed,
                k: job.k ?? d.k,
              }
            : null,
        },
      ];
    }
    case "gt":
      return [
        {
          kind: "gt",
          at,
          label: job.name ?? "ground truth",
          reuse,
          base: p(job.base),
          queries: p(job.queries),
          out: p(job.out),
          k: job.k ?? DEFAULTS.gtK,
          metric: job.metric ?? "l2",
        },
      ];
    case "build": {
      if ((job.data === undefined) === (job.dataset === undefined)) {
        ctx.problems.push(
          `${at}: expected exactly one of "data" (a vector file) or "dataset" (a dataset folder), found ${job.data === undefined ? "neither" : "both"}`,
        );
      }
      return [
        {
          kind: "build",
          at,
          label: job.name ?? `build ${basename(job.out)}`,
          reuse,
          data: job.data === undefined ? null : p(job.data),
          dataset: job.dataset === undefined ? null : p(job.dataset),
          out: p(job.out),
          metric: job.metric ?? null,
          R: job.R ?? DEFAULTS.R,
          L: job.L ?? DEFAULTS.buildL,
          alpha: job.alpha ?? DEFAULTS.alpha,
          pqBytes: job.pq_bytes ?? DEFAULTS.pqBytes,
          threads: job.threads ?? defaultThreads(),
          ramGb: job.ram_gb ?? null,
          entryGraph: job.entry_graph ?? true,
          seed: job.seed ?? 1,
          expect: null,
        },
      ];
    }
    case "search":
    case "sweep": {
      const k = job.k ?? DEFAULTS.k;
      const Ls = list(job.L) ?? [...DEFAULTS.Ls];
      const bad = Ls.filter((L) => L < k);
      if (bad.length > 0) ctx.problems.push(`${at}.L: expected every L ≥ k (${k}), found ${bad.join(", ")}`);
      if (job.dataset === undefined && (job.queries === undefined || job.gt === undefined)) {
        ctx.problems.push(
          `${at}: expected "dataset" (a dataset folder) or both "queries" and "gt", found ${job.queries === undefined ? (job.gt === undefined ? "neither" : "only gt") : "only queries"}`,
        );
      }
      const asked = list<SearchMode | "range">(job.mode) ?? [...DEFAULTS.modes];
      const filtered = filterFields(job, asked, at, ctx, p);
      const modes = filtered.modes;
      if (job.order === "interleaved" && (list(job.concurrency) ?? []).some((c) => c > 1)) {
        ctx.problems.push(`${at}.order: "interleaved" runs one query at a time per thread; expected concurrency 1`);
      }
      if (job.adaptive_width && !modes.includes("pipe"))
        ctx.problems.push(`${at}.adaptive_width: only applies to mode "pipe", found modes ${modes.join(", ")}`);
      return [
        {
          kind: "search",
          at,
          label: job.name ?? `search ${basename(job.index)}`,
          reuse: false,
          index: p(job.index),
          dataset: job.dataset === undefined ? null : p(job.dataset),
          queries: job.queries === undefined ? null : p(job.queries),
          gt: job.gt === undefined ? null : p(job.gt),
          metric: job.metric ?? null,
          k,
          Ls: unique(Ls),
          modes: unique(modes),
          widths: unique(list(job.width) ?? [DEFAULTS.width]),
          threads: searchThreads(job.threads, at, ctx),
          concurrency: unique(list(job.concurrency) ?? [DEFAULTS.concurrency]),
          cacheNodes: job.cache_nodes ?? 0,
          ioLimit: job.io_limit ?? null,
          adaptiveWidth: job.adaptive_width ?? null,
          entryGraph: job.entry_graph ?? true,
          maxQueries: job.max_queries ?? null,
          warmupQueries: job.warmup_queries ?? 0,
          expectType: null,
          ...SEARCH_STEP_DEFAULTS,
          order: job.order ?? SEARCH_STEP_DEFAULTS.order,
          cacheBytes: job.cache_bytes ?? null,
          wait: waitOf(job, at, ctx),
          pin: job.pin ?? false,
          pageSearch: job.page_search ?? null,
          pageExpand: job.page_expand ?? null,
          filters: filtered.filters,
          strategies: filtered.strategies,
          radius: filtered.radius,
          growMaxL: filtered.growMaxL,
          unfilteredGt: filtered.unfilteredGt,
          preMax: filtered.preMax,
        },
      ];
    }
    case "serve":
      return [
        {
          kind: "serve",
          at,
          label: `serve ${job.name ?? basename(job.index)}`,
          reuse: false,
          name: job.name ?? basename(job.index),
          index: p(job.index),
          dataset: job.dataset === undefined ? null : p(job.dataset),
          host: job.host ?? "127.0.0.1",
          port: job.port ?? 8080,
          threads: job.threads ?? 1,
          concurrency: job.concurrency ?? 8,
          cacheNodes: job.cache_nodes ?? 0,
          k: job.k ?? DEFAULTS.k,
          L: job.L ?? 50,
          mode: job.mode ?? "pipe",
          width: job.width ?? DEFAULTS.width,
          seconds: job.seconds ?? null,
        },
      ];
    case "disk-index":
      return diskIndexSteps(job, at, ctx);
  }
}

/**
 * Search Worker counts: "auto" is one per core this process may use (its CPU affinity). More
 * Workers than cores is allowed (a sweep may want to show it) but noted: they take turns on the cores.
 */
function searchThreads(
  threads: number | readonly number[] | "auto" | undefined,
  at: string,
  ctx: StepContext,
): number[] {
  const cores = defaultThreads();
  const counts = threads === "auto" ? [cores] : unique(list(threads) ?? [DEFAULTS.threads]);
  const over = counts.filter((t) => t > cores);
  if (over.length > 0) {
    ctx.notes.push(
      `${at}.threads: ${over.join(", ")} Workers on ${cores} available core${cores === 1 ? "" : "s"}: ` +
        "Workers will wait for each other's cores, which lengthens the latency tail",
    );
  }
  return counts;
}

/** `wait`, or the older `spin: true` (= "spin"); both given must agree. */
function waitOf(
  job: { spin?: boolean | undefined; wait?: WaitStrategy | undefined },
  at: string,
  ctx: StepContext,
): WaitStrategy {
  if (job.spin === true && job.wait !== undefined && job.wait !== "spin") {
    ctx.problems.push(`${at}.spin: "spin": true asks for wait "spin", but wait is "${job.wait}"; give one of them`);
  }
  return job.wait ?? (job.spin === true ? "spin" : "block");
}

function list<T>(v: T | readonly T[] | undefined): T[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? [...(v as readonly T[])] : [v as T];
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

export type { RunConfigInput };
