// Shared by the two config mappers (config.ts for ringann jobs, diskann-plan.ts for DiskANN's):
// where problems and notes are collected, and how input paths resolve.
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Metric } from "../../format/vector-type.ts";

export interface StepContext {
  /** Folder relative paths resolve against (the config's folder). */
  readonly baseDir: string;
  /** DiskANN's `search_directories`, absolute. */
  readonly searchDirs: readonly string[];
  readonly problems: string[];
  readonly notes: string[];
}

/**
 * A DiskANN input file: absolute, else the first search directory holding it, else the config's
 * folder holding it; when none does, the path in the first search directory (where a message
 * should point).
 */
export function findInput(path: string, ctx: StepContext): string {
  if (isAbsolute(path)) return path;
  for (const dir of [...ctx.searchDirs, ctx.baseDir]) {
    const candidate = resolve(dir, path);
    if (existsSync(candidate)) return candidate;
  }
  return resolve(ctx.searchDirs[0] ?? ctx.baseDir, path);
}

export function metricFromDiskann(distance: "squared_l2" | "inner_product" | "cosine" | "cosine_normalized"): Metric {
  return distance === "squared_l2" ? "l2" : distance === "inner_product" ? "ip" : "cosine";
}

export function defaultThreads(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}
