// `manifest.json`: what a dataset directory holds. File names are relative to the directory, so a
// dataset can be moved or copied as a whole.
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { FormatError } from "../errors.ts";
import { writeFileAtomic } from "../format/atomic-file.ts";
import { METRICS, VECTOR_TYPES, type Metric, type VectorType } from "../format/vector-type.ts";

export const MANIFEST_NAME = "manifest.json";

export interface DatasetManifest {
  /** fashion-mnist | glove-100 | synthetic */
  readonly name: string;
  /** Where the vectors came from (package and path, or generator and parameters). */
  readonly source: string;
  /** File names relative to the dataset directory. */
  readonly base: string;
  readonly queries: string;
  readonly groundtruth: string;
  readonly counts: { readonly base: number; readonly queries: number };
  readonly dim: number;
  readonly type: VectorType;
  readonly metric: Metric;
  /** Neighbours per query in the ground-truth file. */
  readonly k: number;
  /** Generator or split parameters (seed, ...), for reproduction. */
  readonly params?: Record<string, number | string | boolean>;
  /** Other files in the directory (e.g. word lists) by role. */
  readonly extra?: Record<string, string>;
  readonly createdBy: string;
}

/** A manifest with its files resolved to paths. */
export interface DatasetPaths {
  readonly dir: string;
  readonly manifest: DatasetManifest;
  readonly base: string;
  readonly queries: string;
  readonly groundtruth: string;
}

export function writeManifest(dir: string, manifest: DatasetManifest): void {
  writeFileAtomic(join(dir, MANIFEST_NAME), JSON.stringify(manifest, null, 2) + "\n");
}

export function readManifest(dir: string): DatasetPaths {
  const file = join(dir, MANIFEST_NAME);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new FormatError(file, "json", "a JSON object", (err as Error).message);
  }
  const m = raw as Record<string, unknown>;
  const str = (field: string): string => {
    const v = m[field];
    if (typeof v !== "string" || v === "") throw new FormatError(file, field, "a non-empty string", JSON.stringify(v));
    return v;
  };
  const relative = (field: string): string => {
    const v = str(field);
    if (isAbsolute(v))
      throw new FormatError(file, field, "a file name relative to the dataset directory", JSON.stringify(v));
    return v;
  };
  const int = (v: unknown, field: string): number => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
      throw new FormatError(file, field, "an integer ≥ 0", JSON.stringify(v));
    return v;
  };
  const counts = (m.counts ?? {}) as Record<string, unknown>;
  const type = str("type");
  if (!(VECTOR_TYPES as readonly string[]).includes(type))
    throw new FormatError(file, "type", VECTOR_TYPES.join("|"), JSON.stringify(type));
  const metric = str("metric");
  if (!(METRICS as readonly string[]).includes(metric))
    throw new FormatError(file, "metric", METRICS.join("|"), JSON.stringify(metric));
  const manifest: DatasetManifest = {
    name: str("name"),
    source: str("source"),
    base: relative("base"),
    queries: relative("queries"),
    groundtruth: relative("groundtruth"),
    counts: { base: int(counts.base, "counts.base"), queries: int(counts.queries, "counts.queries") },
    dim: int(m.dim, "dim"),
    type: type as VectorType,
    metric: metric as Metric,
    k: int(m.k, "k"),
    params: (m.params ?? undefined) as DatasetManifest["params"],
    extra: (m.extra ?? undefined) as DatasetManifest["extra"],
    createdBy: typeof m.createdBy === "string" ? m.createdBy : "unknown",
  };
  return {
    dir,
    manifest,
    base: join(dir, manifest.base),
    queries: join(dir, manifest.queries),
    groundtruth: join(dir, manifest.groundtruth),
  };
}
