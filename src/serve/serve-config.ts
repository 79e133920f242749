// What `ringann serve` runs: listen address, threads, auth, CORS, and the named indexes with their
// options. From flags (`--index PREFIX --name N ...`) or a JSON file validated with zod; a bad file
// gets every problem listed with its JSON path (the same field builders and messages as `run`).
//   { "port": 8080, "threads": 2,
//     "indexes": [{ "name": "fmnist", "index": "idx/fmnist", "dataset": "data/fmnist", "cache_nodes": 1000,
//                   "concurrency": 8, "defaults": { "L": 50 }, "limits": { "max_L": 200 } }] }
// Relative paths resolve against the config file's folder.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { ConfigError } from "../errors.ts";
import type { Metric, VectorType } from "../format/vector-type.ts";
import { int, oneOf, pathField, record, text } from "../run/config/config-fields.ts";
import { formatIssues } from "../run/config/config-issues.ts";

export interface SearchDefaults {
  k: number;
  L: number;
  mode: "beam" | "pipe";
  width: number;
}

export interface IndexLimits {
  maxK: number;
  maxL: number;
  maxWidth: number;
  /** Most vectors in one request. */
  maxBatch: number;
  /** Longest a query may take, queued or running (requests may ask for less). */
  deadlineMs: number;
}

export interface IndexServeConfig {
  name: string;
  prefix: string;
  /** A dataset folder with manifest.json: the search page's random queries, images, words. */
  dataset: string | null;
  metric?: Metric;
  type?: VectorType;
  cacheNodes: number;
  /** Queries interleaved on each thread's ring. */
  concurrency: number;
  /** Queries waiting per thread beyond which requests get 429. */
  maxQueued: number;
  defaults: SearchDefaults;
  limits: IndexLimits;
}

/**
 * How requests meet rings: "reuseport" — every thread listens (SO_REUSEPORT) and searches on its own
 * ring; "handoff" — one thread listens and hands k-NN queries to `threads` search Workers through
 * shared memory (serve/ring-pool.ts).
 */
export type ServeDispatch = "reuseport" | "handoff";
export const SERVE_DISPATCHES: readonly ServeDispatch[] = ["reuseport", "handoff"];

export interface ServeConfig {
  host: string;
  port: number;
  threads: number;
  dispatch: ServeDispatch;
  /** Bearer token required on every endpoint but /healthz and the page (null: no auth). */
  token: string | null;
  /** Origins allowed by CORS ("*" for any); empty: no CORS headers. */
  corsOrigins: string[];
  maxBodyBytes: number;
  indexes: IndexServeConfig[];
}

export const DEFAULT_DISPATCH: ServeDispatch = "handoff";
export const DEFAULT_DEFAULTS: SearchDefaults = { k: 10, L: 50, mode: "pipe", width: 4 };
export const DEFAULT_LIMITS: IndexLimits = { maxK: 100, maxL: 500, maxWidth: 16, maxBatch: 256, deadlineMs: 10_000 };

const Defaults = record("defaults", {
  k: int("results per query", 1, 10_000).optional(),
  L: int("search list size", 1, 10_000).optional(),
  mode: oneOf(["beam", "pipe"], "search mode").optional(),
  width: int("reads in flight per query", 1, 64).optional(),
});

const Limits = record("limits", {
  max_k: int("largest k a request may ask", 1, 10_000).optional(),
  max_L: int("largest L a request may ask", 1, 10_000).optional(),
  max_width: int("largest width a request may ask", 1, 64).optional(),
  max_batch: int("most vectors in one request", 1, 100_000).optional(),
  deadline_ms: int("longest a query may take, in ms", 1, 3_600_000).optional(),
});

const IndexEntry = record("an index entry", {
  name: text("the index's name in URLs").regex(/^[A-Za-z0-9_.-]+$/, {
    error: () => "expected letters, digits, '_', '.', '-' (a URL segment)",
  }),
  index: pathField("the index prefix (before _disk.index)"),
  dataset: pathField("a dataset folder with manifest.json").optional(),
  metric: oneOf(["l2", "ip", "cosine"], "metric for indexes without a _ringann.json sidecar").optional(),
  type: oneOf(["float32", "uint8", "int8"], "vector type for indexes without a sidecar").optional(),
  cache_nodes: int("nodes cached in memory", 0).optional(),
  concurrency: int("queries interleaved per thread", 1, 256).optional(),
  max_queued: int("queries waiting per thread", 0, 1_000_000).optional(),
  defaults: Defaults.optional(),
  limits: Limits.optional(),
});

const ServeFile = record("the serve config", {
  host: text("the address to listen on").optional(),
  port: int("the TCP port", 0, 65535).optional(),
  threads: int("threads, each with its own ring", 1, 256).optional(),
  dispatch: oneOf(["reuseport", "handoff"], "how requests meet the rings").optional(),
  cors_origins: z.array(text("an origin such as http://localhost:3000, or *")).optional(),
  max_body_bytes: int("largest request body", 1024, 1 << 30).optional(),
  indexes: z.array(IndexEntry).min(1, { error: () => "expected at least one index" }),
});

type IndexEntryInput = z.infer<typeof IndexEntry>;

export function indexConfig(e: IndexEntryInput, baseDir: string): IndexServeConfig {
  const d = e.defaults ?? {};
  const l = e.limits ?? {};
  const limits: IndexLimits = {
    maxK: l.max_k ?? DEFAULT_LIMITS.maxK,
    maxL: l.max_L ?? DEFAULT_LIMITS.maxL,
    maxWidth: l.max_width ?? DEFAULT_LIMITS.maxWidth,
    maxBatch: l.max_batch ?? DEFAULT_LIMITS.maxBatch,
    deadlineMs: l.deadline_ms ?? DEFAULT_LIMITS.deadlineMs,
  };
  return {
    name: e.name,
    prefix: resolve(baseDir, e.index),
    dataset: e.dataset === undefined ? null : resolve(baseDir, e.dataset),
    ...(e.metric ? { metric: e.metric } : {}),
    ...(e.type ? { type: e.type } : {}),
    cacheNodes: e.cache_nodes ?? 0,
    concurrency: e.concurrency ?? 8,
    maxQueued: e.max_queued ?? 512,
    defaults: {
      k: d.k ?? DEFAULT_DEFAULTS.k,
      L: d.L ?? DEFAULT_DEFAULTS.L,
      mode: d.mode ?? DEFAULT_DEFAULTS.mode,
      width: d.width ?? DEFAULT_DEFAULTS.width,
    },
    limits,
  };
}

/** Validates a parsed config; relative paths resolve against baseDir. Throws ConfigError with every problem. */
export function serveConfigFromJson(json: unknown, source: string, baseDir: string): ServeConfig {
  const parsed = ServeFile.safeParse(json, { reportInput: true });
  if (!parsed.success) throw new ConfigError(source, formatIssues(parsed.error.issues));
  const c = parsed.data;
  const indexes = c.indexes.map((e) => indexConfig(e, baseDir));
  const problems: string[] = [];
  const seen = new Set<string>();
  indexes.forEach((ix, i) => {
    if (seen.has(ix.name)) problems.push(`indexes[${i}].name: ${JSON.stringify(ix.name)} is used twice`);
    seen.add(ix.name);
    if (ix.defaults.k > ix.limits.maxK)
      problems.push(`indexes[${i}].defaults.k: ${ix.defaults.k} is above limits.max_k ${ix.limits.maxK}`);
    if (ix.defaults.L > ix.limits.maxL)
      problems.push(`indexes[${i}].defaults.L: ${ix.defaults.L} is above limits.max_L ${ix.limits.maxL}`);
    if (ix.defaults.width > ix.limits.maxWidth)
      problems.push(
        `indexes[${i}].defaults.width: ${ix.defaults.width} is above limits.max_width ${ix.limits.maxWidth}`,
      );
  });
  if (problems.length > 0) throw new ConfigError(source, problems);
  return {
    host: c.host ?? "127.0.0.1",
    port: c.port ?? 8080,
    threads: c.threads ?? 1,
    dispatch: c.dispatch ?? DEFAULT_DISPATCH,
    token: null,
    corsOrigins: c.cors_origins ?? [],
    maxBodyBytes: c.max_body_bytes ?? 8 << 20,
    indexes,
  };
}

export function loadServeConfig(file: string): ServeConfig {
  const abs = resolve(file);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(abs, "utf8"));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(abs, [e.code ? `cannot read the config file (${e.code})` : `not valid JSON: ${e.message}`]);
  }
  return serveConfigFromJson(json, abs, dirname(abs));
}
