// The filtered and range fields of a search job (issue 12), checked once the schema has passed:
//   filter          one filter for every query (JSON predicate, or a bare label), parsed here so a
//                   malformed one is a problem naming its JSON path (jobs[2].filter.and[1].label);
//   query_filters   DiskANN's query filter file (read when the job runs: it may be written by an
//                   earlier job);
//   strategy        the strategies run side by side (default auto);
//   mode "range" / radius    range search (mode "range" is range search on pipe machines).
// Unknown labels are found when the job runs (the labels live beside an index that may not exist yet).
import { ConfigError } from "../../errors.ts";
import { parseFilter, parseFilterText } from "../../filter/predicate.ts";
import type { SweepStrategy } from "../../search/filtered-sweep.ts";
import type { SearchJobInput, SearchMode } from "./config-schema.ts";
import type { StepFilters } from "./plan.ts";
import type { StepContext } from "./step-context.ts";

export interface FilterFields {
  readonly filters: StepFilters | null;
  readonly strategies: readonly SweepStrategy[];
  readonly radius: number | null;
  readonly growMaxL: number;
  readonly unfilteredGt: string | null;
  readonly preMax: number | null;
  /** The job's modes with "range" as the machine it runs on (pipe). */
  readonly modes: SearchMode[];
}

const DEFAULT_GROW_MAX_L = 1024;

export function filterFields(
  job: SearchJobInput,
  modes: readonly (SearchMode | "range")[],
  at: string,
  ctx: StepContext,
  path: (p: string) => string,
): FilterFields {
  const problems = ctx.problems;
  let filters: StepFilters | null = null;
  if (job.filter !== undefined && job.query_filters !== undefined) {
    problems.push(`${at}.query_filters: expected either "filter" or "query_filters", found both`);
  } else if (job.filter !== undefined) {
    try {
      const where = `${at}.filter`;
      const filter =
        typeof job.filter === "string" ? parseFilterText(job.filter, where) : parseFilter(job.filter, where);
      filters = { kind: "one", filter, at: where };
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems.map((p) => `${err.path}: ${p}`));
    }
  } else if (job.query_filters !== undefined) {
    filters = { kind: "lines", file: path(job.query_filters), at: `${at}.query_filters` };
  }
  const filtered = filters !== null || job.filter !== undefined || job.query_filters !== undefined;
  const rangeMode = modes.includes("range");
  const radius = job.radius ?? null;
  if (rangeMode && radius === null) {
    problems.push(`${at}.radius: missing; expected a number ≥ 0 (every point within this distance) with mode "range"`);
  }
  let strategies: SweepStrategy[] = [];
  if (job.strategy !== undefined) {
    strategies = [...new Set(Array.isArray(job.strategy) ? job.strategy : [job.strategy])] as SweepStrategy[];
    if (!filtered)
      problems.push(`${at}.strategy: only for a filtered search; expected "filter" or "query_filters" with it`);
    if (radius !== null)
      problems.push(`${at}.strategy: a filtered range search uses in-filter traversal; expected no "strategy"`);
  } else if (filtered && radius === null) {
    strategies = ["auto"];
  }
  if (job.unfiltered_gt !== undefined && !strategies.includes("none"))
    problems.push(`${at}.unfiltered_gt: only scores the strategy "none"; expected "none" in "strategy"`);
  if (
    (filtered || radius !== null) &&
    (Array.isArray(job.concurrency) ? job.concurrency : [job.concurrency ?? 1]).some((c) => c > 1)
  ) {
    problems.push(
      `${at}.concurrency: filtered and range searches run one query at a time per thread; expected 1, found ${JSON.stringify(job.concurrency)}`,
    );
  }
  if (job.pre_max !== undefined && !strategies.includes("auto"))
    problems.push(`${at}.pre_max: only tunes the strategy "auto"; expected "auto" in "strategy"`);
  if (job.max_l !== undefined && !filtered && radius === null)
    problems.push(`${at}.max_l: only for a filtered or range search; expected "filter", "query_filters" or "radius"`);
  const plainModes = [...new Set(modes.map((m) => (m === "range" ? "pipe" : m)))] as SearchMode[];
  return {
    filters,
    strategies,
    radius,
    growMaxL: job.max_l ?? DEFAULT_GROW_MAX_L,
    unfilteredGt: job.unfiltered_gt === undefined ? null : path(job.unfiltered_gt),
    preMax: job.pre_max ?? null,
    modes: plainModes,
  };
}
