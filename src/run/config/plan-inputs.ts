// Pre-flight: every input of every step must exist now or be written by an earlier step, so a
// typo in the last job's path fails in a second, not after an hour of building.
import { existsSync } from "node:fs";
import { join, sep } from "node:path";
import type { Step } from "./plan.ts";

interface Output {
  readonly path: string;
  /** A folder: everything under it counts as produced. */
  readonly folder: boolean;
}

export function checkInputs(steps: readonly Step[]): string[] {
  const problems: string[] = [];
  const produced: Output[] = [];
  const need = (at: string, field: string, path: string | null, what: string, probe = path) => {
    if (path === null || probe === null) return;
    if (existsSync(probe) || produced.some((o) => covers(o, path))) return;
    problems.push(`${at}.${field}: expected ${what}, found no file at ${probe} (and no earlier job writes it)`);
  };
  for (const step of steps) {
    switch (step.kind) {
      case "dataset":
        produced.push({ path: step.dir, folder: true });
        break;
      case "gt":
        need(step.at, "base", step.base, "the base vectors");
        need(step.at, "queries", step.queries, "the query vectors");
        produced.push({ path: step.out, folder: false });
        break;
      case "build":
        need(step.at, step.expect ? "content.source.data" : "data", step.data, "the base vectors");
        need(
          step.at,
          "dataset",
          step.dataset,
          "a dataset folder with manifest.json",
          step.dataset && join(step.dataset, "manifest.json"),
        );
        produced.push({ path: step.out, folder: false });
        break;
      case "search": {
        const diskann = step.expectType !== null;
        const indexField = diskann ? "content.source.load_path" : "index";
        need(step.at, indexField, step.index, "an index (<prefix>_disk.index)", `${step.index}_disk.index`);
        need(
          step.at,
          "dataset",
          step.dataset,
          "a dataset folder with manifest.json",
          step.dataset && join(step.dataset, "manifest.json"),
        );
        need(step.at, diskann ? "content.search_phase.queries" : "queries", step.queries, "the query vectors");
        need(step.at, diskann ? "content.search_phase.groundtruth" : "gt", step.gt, "the ground truth");
        if (step.filters !== null && step.filters.kind !== "one")
          need(step.at, step.filters.at.slice(step.at.length + 1), step.filters.file, "the query filters");
        need(step.at, "unfiltered_gt", step.unfilteredGt, "the unfiltered ground truth");
        break;
      }
      case "serve":
        need(step.at, "index", step.index, "an index (<prefix>_disk.index)", `${step.index}_disk.index`);
        need(
          step.at,
          "dataset",
          step.dataset,
          "a dataset folder with manifest.json",
          step.dataset && join(step.dataset, "manifest.json"),
        );
        break;
    }
  }
  return problems;
}

function covers(output: Output, path: string): boolean {
  if (path === output.path) return true;
  return output.folder && path.startsWith(output.path + sep);
}
