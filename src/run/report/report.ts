// results.json and results.csv, each written to a temporary name and renamed, so an interrupted
// run never leaves a half-written result under the final name (the previous complete file, if
// any, stays). Called after every search job, so finished jobs are kept if a later one fails.
// Both are streamed in chunks of rows, so a big sweep never becomes one giant string.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { AtomicFileWriter } from "../../format/atomic-file.ts";
import type { Step } from "../config/plan.ts";
import { ROW_FIELDS, type ResultRow } from "./result-row.ts";

export interface JobRecord {
  readonly at: string;
  readonly label: string;
  readonly kind: string;
  readonly status: "done" | "reused" | "failed";
  readonly seconds: number;
  readonly detail?: string;
}

export interface RunReport {
  readonly name: string;
  readonly config: string;
  readonly started: string;
  readonly machine: { readonly cpus: number; readonly platform: string; readonly kernel: string };
  readonly io: string;
  /** The validated jobs with every default filled in and absolute paths: what was run. */
  readonly steps: readonly Step[];
  readonly jobs: readonly JobRecord[];
  readonly rows: readonly ResultRow[];
  /** Chart files (absolute) written for these rows. */
  readonly charts: readonly string[];
}

export interface ReportFiles {
  readonly json: string;
  readonly csv: string;
}

export function reportFiles(outputDir: string): ReportFiles {
  return { json: join(outputDir, "results.json"), csv: join(outputDir, "results.csv") };
}

export function writeReport(outputDir: string, report: RunReport): ReportFiles {
  mkdirSync(outputDir, { recursive: true });
  const files = reportFiles(outputDir);
  writeChunks(files.json, jsonChunks(report));
  writeChunks(files.csv, csvChunks(report.rows));
  return files;
}

export function rowsToCsv(rows: readonly ResultRow[]): string {
  return [...csvChunks(rows)].join("");
}

/** Rows per chunk: large sweeps are streamed, not built as one string. */
const CHUNK_ROWS = 256;

function writeChunks(path: string, chunks: Iterable<string>): void {
  const encoder = new TextEncoder();
  const writer = new AtomicFileWriter(path);
  try {
    for (const chunk of chunks) writer.append(encoder.encode(chunk));
  } catch (err) {
    writer.abort();
    throw err;
  }
  writer.commit();
}

/** The report as pretty JSON, one row per line. */
function* jsonChunks(report: RunReport): Generator<string> {
  const { rows, ...head } = report;
  const headText = JSON.stringify(head, null, 2);
  yield `${headText.slice(0, headText.lastIndexOf("}")).trimEnd()},\n  "rows": [`;
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    const chunk = rows
      .slice(i, i + CHUNK_ROWS)
      .map((r) => `\n    ${JSON.stringify(r)}`)
      .join(",");
    yield i === 0 ? chunk : `,${chunk}`;
  }
  yield rows.length > 0 ? "\n  ]\n}\n" : "]\n}\n";
}

function* csvChunks(rows: readonly ResultRow[]): Generator<string> {
  yield ROW_FIELDS.join(",") + "\n";
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    yield rows
      .slice(i, i + CHUNK_ROWS)
      .map((row) => ROW_FIELDS.map((f) => csvValue(row[f])).join(",") + "\n")
      .join("");
  }
}

function csvValue(v: string | number | null): string {
  if (v === null) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
