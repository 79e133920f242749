// Filters for a query set from the command line (issue 12): `--filter JSON` (every query) or
// `--query-filters FILE` (DiskANN's query filter file: line q is query q's filter — a bare label, or
// JSON when it starts with '{').
import { readFileSync } from "node:fs";
import { UsageError } from "../errors.ts";
import { type Filter, parseFilterText } from "../filter/predicate.ts";
import type { FlagSpec } from "./args.ts";
import { type ParsedArgs, flagString } from "./args.ts";

export const FILTER_FLAGS: Record<string, FlagSpec> = {
  filter: {
    type: "string",
    help: 'one filter for every query: a label, or JSON ({"label"}, {"and"}, {"or"}, {"not"}, {"range"})',
  },
  "query-filters": {
    type: "string",
    help: "a filter per query, one per line (a bare label, or JSON when it starts with '{')",
  },
};

/** The filters of queries 0..count-1, or null when neither flag is given. */
export function readQueryFilters(args: ParsedArgs, count: number): Filter[] | null {
  const one = flagString(args, "filter");
  const file = flagString(args, "query-filters");
  if (one !== undefined && file !== undefined) throw new UsageError("--filter and --query-filters exclude each other");
  if (one !== undefined) {
    const f = parseFilterText(one, "--filter");
    return Array.from({ length: count }, () => f);
  }
  if (file === undefined) return null;
  const lines = readFileSync(file, "utf8").split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length < count)
    throw new UsageError(`${file} holds ${lines.length} filters, fewer than the ${count} queries`);
  return Array.from({ length: count }, (_, q) => parseFilterText(lines[q]!, `${file}:${q + 1}`));
}
