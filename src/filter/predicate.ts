// Filters: predicates over a point's labels and numeric attributes, as JSON.
//   {"label": "shoes"}                         the point carries the label (or the universal label)
//   {"and": [F, ...]}  {"or": [F, ...]}  {"not": F}
//   {"range": {"price": {"lt": 50, "gte": 10}}}  every bound holds (lt, lte, gt, gte); several fields: all
// A query-filter line (DiskANN's query filter file) is either a bare label or a JSON filter (it starts
// with '{'). Each node is one object with exactly one of these keys; its shape is checked with zod and a
// problem names its JSON path (e.g. `filter.and[1].range.price.lt`).
import { z } from "zod";
import { ConfigError } from "../errors.ts";

export type Filter =
  | { readonly label: string }
  | { readonly and: readonly Filter[] }
  | { readonly or: readonly Filter[] }
  | { readonly not: Filter }
  | { readonly range: Readonly<Record<string, Bounds>> };

export interface Bounds {
  readonly lt?: number;
  readonly lte?: number;
  readonly gt?: number;
  readonly gte?: number;
}

const KEYS = ["label", "and", "or", "not", "range"] as const;
const LabelSchema = z.string().min(1);
const ListSchema = z.array(z.unknown()).min(1);
const BoundsSchema = z
  .strictObject({
    lt: z.number().optional(),
    lte: z.number().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: "expected at least one of lt, lte, gt, gte" });
const RangeSchema = z
  .record(z.string().min(1), BoundsSchema)
  .refine((r) => Object.keys(r).length > 0, { message: "expected at least one field" });

function fail(path: string, problem: string): never {
  throw new ConfigError(path, [problem]);
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function check<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = path + issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
  fail(where, `${issue.message}, found ${describe(value)}`);
}

/** Checks a parsed JSON value as a filter; `path` names it in errors (e.g. "--filter", "filters[3]"). */
export function parseFilter(value: unknown, path = "filter"): Filter {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(path, `expected a filter object with one of ${KEYS.join(", ")}, found ${describe(value)}`);
  }
  const keys = Object.keys(value);
  if (keys.length !== 1 || !(KEYS as readonly string[]).includes(keys[0]!)) {
    fail(path, `expected exactly one of ${KEYS.join(", ")}, found keys ${describe(keys)}`);
  }
  const key = keys[0] as (typeof KEYS)[number];
  const v = (value as Record<string, unknown>)[key];
  switch (key) {
    case "label":
      return { label: check(LabelSchema, v, `${path}.label`) };
    case "and":
    case "or": {
      const items = check(ListSchema, v, `${path}.${key}`).map((f, i) => parseFilter(f, `${path}.${key}[${i}]`));
      return key === "and" ? { and: items } : { or: items };
    }
    case "not":
      return { not: parseFilter(v, `${path}.not`) };
    case "range":
      return { range: check(RangeSchema, v, `${path}.range`) as Record<string, Bounds> };
  }
}

/** Parses filter text: JSON when it starts with '{', else a bare label (DiskANN's query filter lines). */
export function parseFilterText(text: string, path = "filter"): Filter {
  const t = text.trim();
  if (t === "") fail(path, "expected a label or a JSON filter, found an empty line");
  if (!t.startsWith("{")) return { label: t };
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch (err) {
    fail(path, `expected JSON (${(err as Error).message}), found ${describe(t)}`);
  }
  return parseFilter(value, path);
}

/** A stable text key of a filter (cache key; equal filters give equal keys). */
export function filterKey(f: Filter): string {
  return JSON.stringify(f);
}
