// Parses and checks a search request before any of it reaches the index. Two body kinds:
//   application/json          {vector: number[] | vectors: number[][], k?, L?, mode?, width?, deadline_ms?, include?,
//                              filter?, strategy?, radius?}
//   application/octet-stream  little-endian float32 rows of `dim` values; k, L, mode, width, deadline_ms,
//                             filter (JSON), strategy, radius as URL query parameters
// Filtered search (issue 12): `filter` is a JSON predicate ({"label"}, {"and"}, {"or"}, {"not"},
// {"range"}) or a bare label, `strategy` one of auto (default), pre, in, label, post; range search is
// `mode: "range"` with `radius` (every point within it; L is the first list size). A malformed filter
// is a 400 naming its JSON path (`filter.and[1].label`); labels are checked against the index later.
// Every problem is an HttpError naming where it is (`vectors[3][17]`, `?L`, `(body)`): wrong dimension,
// NaN/Infinity (JSON numbers like 1e999 parse to Infinity), non-numbers, k/L/width out of range,
// unknown fields, too many vectors. The body size limit is checked by the caller before reading.
import { ConfigError } from "../errors.ts";
import { type Filter, parseFilter, parseFilterText } from "../filter/predicate.ts";
import { FILTER_STRATEGIES, type FilterStrategy } from "../search/filter-engine.ts";
import { HttpError } from "./http-error.ts";
import type { IndexLimits, SearchDefaults } from "./serve-config.ts";

export type Include = "vectors" | "words";

export interface SearchRequest {
  /** count × dim float32, row-major. */
  vectors: Float32Array;
  count: number;
  k: number;
  L: number;
  mode: "beam" | "pipe";
  width: number;
  deadlineMs: number;
  include: Include[];
  /** Filtered search: the filter (null: unfiltered) and the strategy. */
  filter: Filter | null;
  strategy: FilterStrategy;
  /** Range search (mode "range", run on pipe machines): the radius; null for k-NN search. */
  radius: number | null;
}

const JSON_FIELDS = [
  "vector",
  "vectors",
  "k",
  "L",
  "mode",
  "width",
  "deadline_ms",
  "include",
  "filter",
  "strategy",
  "radius",
];
const QUERY_FIELDS = ["k", "L", "mode", "width", "deadline_ms", "filter", "strategy", "radius"];

interface Knobs {
  k?: unknown;
  L?: unknown;
  mode?: unknown;
  width?: unknown;
  deadline_ms?: unknown;
  filter?: unknown;
  strategy?: unknown;
  radius?: unknown;
}

export function parseJsonSearch(
  text: string,
  dim: number,
  defaults: SearchDefaults,
  limits: IndexLimits,
): SearchRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, "E_JSON", `Cannot parse the request body as JSON: ${(err as Error).message}`, "(body)");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "E_JSON", "Expected a JSON object {vector | vectors, k, L, mode, width}", "(body)");
  }
  const obj = body as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!JSON_FIELDS.includes(key))
      throw new HttpError(400, "E_FIELD", `Unknown field '${key}'; expected only: ${JSON_FIELDS.join(", ")}`, key);
  }
  let rows: unknown[];
  let rowPath: (i: number) => string;
  if (obj.vector !== undefined && obj.vectors !== undefined) {
    throw new HttpError(400, "E_FIELD", "Give either 'vector' or 'vectors', not both", "vectors");
  } else if (obj.vector !== undefined) {
    rows = [obj.vector];
    rowPath = () => "vector";
  } else if (obj.vectors !== undefined) {
    if (!Array.isArray(obj.vectors) || obj.vectors.length === 0)
      throw new HttpError(400, "E_TYPE", "Expected a non-empty array of vectors", "vectors");
    rows = obj.vectors;
    rowPath = (i) => `vectors[${i}]`;
  } else {
    throw new HttpError(
      400,
      "E_FIELD",
      `Missing 'vector' (${dim} numbers) or 'vectors' (arrays of ${dim} numbers)`,
      "vector",
    );
  }
  if (rows.length > limits.maxBatch) {
    throw new HttpError(
      413,
      "E_TOO_MANY",
      `${rows.length} vectors in one request; the limit is ${limits.maxBatch}`,
      "vectors",
    );
  }
  const vectors = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const where = rowPath(i);
    if (!Array.isArray(row)) throw new HttpError(400, "E_TYPE", `Expected an array of ${dim} numbers`, where);
    if (row.length !== dim)
      throw new HttpError(
        400,
        "E_DIMENSION",
        `Expected ${dim} values (the index's dimension), got ${row.length}`,
        where,
      );
    for (let j = 0; j < dim; j++) {
      const v = row[j];
      if (typeof v !== "number")
        throw new HttpError(400, "E_TYPE", `Expected a number, got ${describe(v)}`, `${where}[${j}]`);
      if (!Number.isFinite(v))
        throw new HttpError(400, "E_NOT_FINITE", `Expected a finite number, got ${v}`, `${where}[${j}]`);
      vectors[i * dim + j] = v;
    }
  }
  // float32 overflow: 1e39 is a finite double but Infinity as float32.
  checkFinite(vectors, dim, rowPath);
  const include = parseInclude(obj.include);
  return { vectors, count: rows.length, include, ...parseKnobs(obj, (f) => f, defaults, limits) };
}

export function parseBinarySearch(
  bytes: Uint8Array,
  query: URLSearchParams,
  dim: number,
  defaults: SearchDefaults,
  limits: IndexLimits,
): SearchRequest {
  const rowBytes = dim * 4;
  if (bytes.length === 0 || bytes.length % rowBytes !== 0) {
    throw new HttpError(
      400,
      "E_DIMENSION",
      `Expected a body of whole float32 rows of ${dim} values (${rowBytes} bytes each), got ${bytes.length} bytes`,
      "(body)",
    );
  }
  const count = bytes.length / rowBytes;
  if (count > limits.maxBatch)
    throw new HttpError(
      413,
      "E_TOO_MANY",
      `${count} vectors in one request; the limit is ${limits.maxBatch}`,
      "(body)",
    );
  const vectors = new Float32Array(count * dim);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < vectors.length; i++) vectors[i] = view.getFloat32(i * 4, true);
  checkFinite(vectors, dim, (i) => `(body) row ${i}`);
  const knobs: Knobs = {};
  for (const [key, value] of query) {
    if (!QUERY_FIELDS.includes(key)) throw new HttpError(400, "E_FIELD", `Unknown query parameter '${key}'`, `?${key}`);
    const text = key === "mode" || key === "strategy" || key === "filter";
    (knobs as Record<string, unknown>)[key] = text ? value : value.trim() === "" ? value : Number(value);
  }
  return { vectors, count, include: [], ...parseKnobs(knobs, (f) => `?${f}`, defaults, limits) };
}

function checkFinite(vectors: Float32Array, dim: number, rowPath: (i: number) => string): void {
  for (let i = 0; i < vectors.length; i++) {
    if (!Number.isFinite(vectors[i]!)) {
      const r = Math.floor(i / dim);
      throw new HttpError(
        400,
        "E_NOT_FINITE",
        `Expected a finite float32 value, got ${vectors[i]}`,
        `${rowPath(r)}[${i - r * dim}]`,
      );
    }
  }
}

function parseKnobs(obj: Knobs, path: (field: string) => string, d: SearchDefaults, lim: IndexLimits) {
  const k = intIn(obj.k ?? d.k, 1, lim.maxK, path("k"));
  const L = intIn(obj.L ?? Math.max(d.L, k), k, lim.maxL, path("L"), "k");
  const width = intIn(obj.width ?? d.width, 1, lim.maxWidth, path("width"));
  const deadlineMs =
    obj.deadline_ms === undefined ? lim.deadlineMs : intIn(obj.deadline_ms, 1, lim.deadlineMs, path("deadline_ms"));
  const asked = obj.mode ?? d.mode;
  if (asked !== "beam" && asked !== "pipe" && asked !== "range")
    throw new HttpError(400, "E_RANGE", `Expected "beam", "pipe" or "range", got ${describe(asked)}`, path("mode"));
  const mode: "beam" | "pipe" = asked === "range" ? "pipe" : asked;
  let radius: number | null = null;
  if (asked === "range") {
    if (obj.radius === undefined)
      throw new HttpError(
        400,
        "E_FIELD",
        `Missing 'radius': mode "range" returns every point within it`,
        path("radius"),
      );
    if (typeof obj.radius !== "number" || !Number.isFinite(obj.radius) || obj.radius < 0)
      throw new HttpError(400, "E_RANGE", `Expected a finite number ≥ 0, got ${describe(obj.radius)}`, path("radius"));
    radius = obj.radius;
  } else if (obj.radius !== undefined) {
    throw new HttpError(400, "E_FIELD", `'radius' needs "mode": "range"`, path("radius"));
  }
  const filter = parseRequestFilter(obj.filter, path("filter"));
  const strategy = obj.strategy ?? "auto";
  if (!(FILTER_STRATEGIES as readonly unknown[]).includes(strategy))
    throw new HttpError(
      400,
      "E_RANGE",
      `Expected one of ${FILTER_STRATEGIES.map((x) => JSON.stringify(x)).join(", ")}, got ${describe(strategy)}`,
      path("strategy"),
    );
  if (obj.strategy !== undefined && filter === null)
    throw new HttpError(400, "E_FIELD", `'strategy' needs a 'filter'`, path("strategy"));
  if (obj.strategy !== undefined && radius !== null)
    throw new HttpError(
      400,
      "E_FIELD",
      `A filtered range search uses in-filter traversal; give no 'strategy'`,
      path("strategy"),
    );
  return { k, L, width, mode, deadlineMs, filter, strategy: strategy as FilterStrategy, radius } as const;
}

/** The request's filter (a JSON predicate, a bare label, or JSON text in a URL query), or null. */
function parseRequestFilter(v: unknown, path: string): Filter | null {
  if (v === undefined || v === null) return null;
  try {
    if (typeof v === "string") return parseFilterText(v, path);
    return parseFilter(v, path);
  } catch (err) {
    if (err instanceof ConfigError) throw new HttpError(400, "E_FILTER", err.problems[0] ?? err.message, err.path);
    throw err;
  }
}

function intIn(v: unknown, min: number, max: number, path: string, minName?: string): number {
  if (typeof v !== "number" || !Number.isInteger(v))
    throw new HttpError(400, "E_TYPE", `Expected an integer, got ${describe(v)}`, path);
  if (v < min || v > max) {
    throw new HttpError(
      400,
      "E_RANGE",
      `Expected an integer from ${min}${minName ? ` (${minName})` : ""} to ${max}, got ${v}`,
      path,
    );
  }
  return v;
}

function parseInclude(v: unknown): Include[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new HttpError(400, "E_TYPE", `Expected a list of "vectors" | "words"`, "include");
  return v.map((x, i) => {
    if (x !== "vectors" && x !== "words")
      throw new HttpError(400, "E_RANGE", `Expected "vectors" or "words", got ${describe(x)}`, `include[${i}]`);
    return x;
  });
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return String(v);
}
