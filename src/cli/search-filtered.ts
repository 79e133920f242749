// `ringann search` with filters or a radius (issue 12): the flags, and the filter fields of the
// one-step plan `ringann search` runs (so filtered and range searches run on the same Workers, with
// --threads, as unfiltered ones). Every --strategy runs side by side, interleaved per query.
import { resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { parseFilterText } from "../filter/predicate.ts";
import type { SearchStep } from "../run/config/plan.ts";
import { FILTER_STRATEGIES } from "../search/filter-engine.ts";
import type { SweepStrategy } from "../search/filtered-sweep.ts";
import { type FlagSpec, type ParsedArgs, flagNumber, flagString, requireString } from "./args.ts";
import { FILTER_FLAGS } from "./query-filters.ts";

export const FILTERED_SEARCH_FLAGS: Record<string, FlagSpec> = {
  ...FILTER_FLAGS,
  strategy: {
    type: "string",
    help: "filtered: auto, pre, in, label, post (naive), none (unfiltered), comma-separated",
    default: "auto",
  },
  "pre-max": {
    type: "string",
    help: "filtered auto: pre-filter when at most this many points match (default: a cost estimate)",
  },
  "unfiltered-gt": { type: "string", help: "filtered: unfiltered ground truth, to score --strategy none" },
  radius: {
    type: "string",
    help: "range search: every point within this distance (doubles L from --L while ≥ half are inside)",
  },
  "range-gt": { type: "string", help: "range search: DiskANN range truth for recall (ringann gt --radius)" },
  "max-l": { type: "string", help: "largest L a filtered or range search may grow to", default: "1024" },
};

/** True when the arguments ask for a filtered or range search. */
export function wantsFilteredSearch(args: ParsedArgs): boolean {
  return ["filter", "query-filters", "radius"].some((f) => flagString(args, f) !== undefined);
}

/** The filter, strategy and range fields of the search step (its defaults when none is asked for). */
export function filteredStepFields(args: ParsedArgs): Pick<
  SearchStep,
  "filters" | "strategies" | "radius" | "growMaxL" | "unfilteredGt" | "preMax"
> & {
  rangeGt: string | null;
} {
  const one = flagString(args, "filter");
  const file = flagString(args, "query-filters");
  if (one !== undefined && file !== undefined) throw new UsageError("--filter and --query-filters exclude each other");
  const filters =
    one !== undefined
      ? { kind: "one" as const, filter: parseFilterText(one, "--filter"), at: "--filter" }
      : file !== undefined
        ? { kind: "lines" as const, file: resolve(file), at: "--query-filters" }
        : null;
  const radius = flagNumber(args, "radius", { min: 0 }) ?? null;
  const rangeGt = flagString(args, "range-gt");
  if (rangeGt !== undefined && radius === null) throw new UsageError("--range-gt needs --radius");
  const strategies = requireString(args, "strategy")
    .split(",")
    .map((x) => x.trim());
  for (const st of strategies) {
    if (st !== "none" && !(FILTER_STRATEGIES as readonly string[]).includes(st))
      throw new UsageError(`--strategy takes ${FILTER_STRATEGIES.join(", ")} or none; got '${st}'`);
  }
  const askedStrategy = strategies.join(",") !== "auto";
  if (askedStrategy && filters === null) throw new UsageError("--strategy needs --filter or --query-filters");
  if (askedStrategy && radius !== null)
    throw new UsageError("--strategy does not apply to a filtered range search (it uses in-filter traversal)");
  const unfilteredGt = flagString(args, "unfiltered-gt");
  if (unfilteredGt !== undefined && !strategies.includes("none"))
    throw new UsageError("--unfiltered-gt scores --strategy none only; add none to --strategy");
  return {
    filters,
    strategies: filters !== null && radius === null ? ([...new Set(strategies)] as SweepStrategy[]) : [],
    radius,
    growMaxL: flagNumber(args, "max-l", { integer: true, min: 1 })!,
    unfilteredGt: unfilteredGt !== undefined ? resolve(unfilteredGt) : null,
    preMax: flagNumber(args, "pre-max", { integer: true, min: 0 }) ?? null,
    rangeGt: rangeGt !== undefined ? resolve(rangeGt) : null,
  };
}
