// Numeric attributes per point (ringann's addition to DiskANN's label files), JSON lines: line i is
// point i's object of numeric fields, e.g. {"price": 12.5, "year": 2019}; a field a point lacks (or
// null) is missing and matches no range. Read into one Float64Array column per field (NaN = missing).
// Stored beside an index as <prefix>_disk.index_attributes.jsonl (the same text).
import { existsSync, readFileSync } from "node:fs";
import { FormatError } from "../errors.ts";
import { writeFileAtomic } from "./atomic-file.ts";

export interface PointAttributes {
  readonly npts: number;
  /** columns.get(field)[point] = the value, NaN when missing. */
  readonly columns: ReadonlyMap<string, Float64Array>;
}

export function attributeFilePath(prefix: string): string {
  return `${prefix}_disk.index_attributes.jsonl`;
}

export function parseAttributeLines(text: string, file: string): PointAttributes {
  const rows = text.split("\n");
  if (rows.length > 0 && rows[rows.length - 1]!.trim() === "") rows.pop();
  const npts = rows.length;
  const columns = new Map<string, Float64Array>();
  for (let p = 0; p < npts; p++) {
    const row = rows[p]!.trim();
    if (row === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch {
      throw new FormatError(file, `line ${p + 1}`, "a JSON object of numeric fields", JSON.stringify(row.slice(0, 80)));
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new FormatError(file, `line ${p + 1}`, "a JSON object of numeric fields", JSON.stringify(row.slice(0, 80)));
    }
    for (const [field, v] of Object.entries(value)) {
      if (v === null) continue;
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new FormatError(file, `line ${p + 1}: ${field}`, "a finite number or null", JSON.stringify(v));
      let col = columns.get(field);
      if (col === undefined) {
        col = new Float64Array(npts).fill(NaN);
        columns.set(field, col);
      }
      col[p] = v;
    }
  }
  return { npts, columns };
}

export function formatAttributeLines(attrs: PointAttributes): string {
  const out: string[] = [];
  const fields = [...attrs.columns.entries()];
  for (let p = 0; p < attrs.npts; p++) {
    const row: Record<string, number> = {};
    for (const [field, col] of fields) if (!Number.isNaN(col[p]!)) row[field] = col[p]!;
    out.push(JSON.stringify(row));
  }
  return out.join("\n") + "\n";
}

export function writeAttributeFile(prefix: string, attrs: PointAttributes): void {
  writeFileAtomic(attributeFilePath(prefix), formatAttributeLines(attrs));
}

/** The index's attributes, or null when it has none; checked against npts. */
export function readAttributeFile(prefix: string, npts: number): PointAttributes | null {
  const file = attributeFilePath(prefix);
  if (!existsSync(file)) return null;
  const attrs = parseAttributeLines(readFileSync(file, "utf8"), file);
  if (attrs.npts !== npts) throw new FormatError(file, "lines", `${npts} (one per indexed point)`, String(attrs.npts));
  return attrs;
}
