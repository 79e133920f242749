// DiskANN's label files, text (layouts as DiskANN's filtered indexes use them):
//   input labels     one line per point, comma-separated labels (any text without ',' or newline); an
//                    empty line is a point with no label. Line i belongs to point i.
//   <f>_labels.txt            the same lines with every label replaced by its integer number
//   <f>_labels_map.txt        one line per label: "<label>\t<number>"
//   <f>_labels_to_medoids.txt one line per label: "<number>, <start point id>"
//   <f>_universal_label.txt   the universal label's number (a point carrying it matches every label)
// where <f> is the disk index file (<prefix>_disk.index), as DiskANN names them. Parsers check every
// field and name the file and line of the first problem; writers go through the atomic writer.
import { existsSync, readFileSync } from "node:fs";
import { FormatError } from "../errors.ts";
import { writeFileAtomic } from "./atomic-file.ts";

/** Per-point labels as label numbers: point p holds ids[offsets[p] .. offsets[p+1]). */
export interface PointLabels {
  readonly npts: number;
  readonly offsets: Uint32Array;
  readonly ids: Uint32Array;
  /** names[number] = the label's text. */
  readonly names: readonly string[];
  /** The universal label's number, or -1. */
  readonly universal: number;
}

export interface LabelFilePaths {
  readonly labels: string;
  readonly map: string;
  readonly medoids: string;
  readonly universal: string;
}

export function labelFilePaths(prefix: string): LabelFilePaths {
  const f = `${prefix}_disk.index`;
  return {
    labels: `${f}_labels.txt`,
    map: `${f}_labels_map.txt`,
    medoids: `${f}_labels_to_medoids.txt`,
    universal: `${f}_universal_label.txt`,
  };
}

function lines(text: string): string[] {
  const out = text.split("\n");
  if (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

/**
 * Parses a label text file (labels as text). `universal`: the label text that matches every filter
 * (DiskANN's universal label), or undefined. Label numbers follow first appearance.
 */
export function parseLabelText(text: string, file: string, universal?: string): PointLabels {
  const rows = lines(text);
  const numbers = new Map<string, number>();
  const names: string[] = [];
  const offsets = new Uint32Array(rows.length + 1);
  const ids: number[] = [];
  for (let p = 0; p < rows.length; p++) {
    const row = rows[p]!.trim();
    if (row.length > 0) {
      const seen = new Set<number>();
      for (const raw of row.split(",")) {
        const label = raw.trim();
        if (label.length === 0)
          throw new FormatError(file, `line ${p + 1}`, "comma-separated non-empty labels", JSON.stringify(rows[p]));
        let n = numbers.get(label);
        if (n === undefined) {
          n = names.length;
          numbers.set(label, n);
          names.push(label);
        }
        if (!seen.has(n)) {
          seen.add(n);
          ids.push(n);
        }
      }
    }
    offsets[p + 1] = ids.length;
  }
  let universalNumber = -1;
  if (universal !== undefined) {
    const n = numbers.get(universal);
    if (n === undefined) {
      universalNumber = names.length;
      names.push(universal);
    } else {
      universalNumber = n;
    }
  }
  return { npts: rows.length, offsets, ids: Uint32Array.from(ids), names, universal: universalNumber };
}

/** The label text file of `labels` (label names, one line per point): the inverse of parseLabelText. */
export function formatLabelText(labels: PointLabels, asNumbers = false): string {
  const parts: string[] = [];
  for (let p = 0; p < labels.npts; p++) {
    const row: string[] = [];
    for (let i = labels.offsets[p]!; i < labels.offsets[p + 1]!; i++) {
      const n = labels.ids[i]!;
      row.push(asNumbers ? String(n) : labels.names[n]!);
    }
    parts.push(row.join(","));
  }
  return parts.join("\n") + "\n";
}

/** Writes DiskANN's files for an index: _labels.txt (numbers), _labels_map.txt, medoids, universal. */
export function writeLabelFiles(prefix: string, labels: PointLabels, startPoints: Uint32Array): void {
  const paths = labelFilePaths(prefix);
  writeFileAtomic(paths.labels, formatLabelText(labels, true));
  writeFileAtomic(paths.map, labels.names.map((name, n) => `${name}\t${n}\n`).join(""));
  const medoids: string[] = [];
  for (let n = 0; n < startPoints.length; n++)
    if (startPoints[n] !== NO_START) medoids.push(`${n}, ${startPoints[n]}\n`);
  writeFileAtomic(paths.medoids, medoids.join(""));
  if (labels.universal >= 0) writeFileAtomic(paths.universal, `${labels.universal}\n`);
}

/** startPoints[label] when a label has no point (only the universal label can be so). */
export const NO_START = 0xffffffff;

export interface IndexLabels {
  readonly labels: PointLabels;
  /** startPoints[number]: the label's start point (NO_START when the file names none). */
  readonly startPoints: Uint32Array;
}

/** True when the index has DiskANN label files beside it. */
export function hasLabelFiles(prefix: string): boolean {
  return existsSync(labelFilePaths(prefix).labels);
}

/** Reads an index's label files (DiskANN's or ringann's); checks them against `npts`. */
export function readLabelFiles(prefix: string, npts: number): IndexLabels {
  const paths = labelFilePaths(prefix);
  // The map gives names; without it (a DiskANN index built from integer labels) the numbers are the names.
  const names: string[] = [];
  if (existsSync(paths.map)) {
    const rows = lines(readFileSync(paths.map, "utf8"));
    rows.forEach((row, i) => {
      if (row.trim() === "") return;
      const tab = row.lastIndexOf("\t");
      const n = tab < 0 ? NaN : Number(row.slice(tab + 1));
      if (!(Number.isInteger(n) && n >= 0 && n < 1 << 24))
        throw new FormatError(paths.map, `line ${i + 1}`, "<label>\\t<number>", JSON.stringify(row));
      names[n] = row.slice(0, tab);
    });
  }
  const rows = lines(readFileSync(paths.labels, "utf8"));
  if (rows.length !== npts)
    throw new FormatError(paths.labels, "lines", `${npts} (one per indexed point)`, String(rows.length));
  const offsets = new Uint32Array(npts + 1);
  const ids: number[] = [];
  for (let p = 0; p < npts; p++) {
    const row = rows[p]!.trim();
    if (row.length > 0) {
      for (const raw of row.split(",")) {
        const n = Number(raw.trim());
        if (!(Number.isInteger(n) && n >= 0 && n < 1 << 24))
          throw new FormatError(
            paths.labels,
            `line ${p + 1}`,
            "comma-separated label numbers",
            JSON.stringify(rows[p]),
          );
        if (names[n] === undefined) names[n] = String(n);
        ids.push(n);
      }
    }
    offsets[p + 1] = ids.length;
  }
  for (let n = 0; n < names.length; n++) if (names[n] === undefined) names[n] = String(n);
  let universal = -1;
  if (existsSync(paths.universal)) {
    const text = readFileSync(paths.universal, "utf8").trim();
    const n = Number(text);
    if (!(Number.isInteger(n) && n >= 0 && n < 1 << 24))
      throw new FormatError(paths.universal, "universal label", "a label number", JSON.stringify(text));
    universal = n;
    if (names[n] === undefined) names[n] = String(n);
  }
  const startPoints = new Uint32Array(names.length).fill(NO_START);
  if (existsSync(paths.medoids)) {
    lines(readFileSync(paths.medoids, "utf8")).forEach((row, i) => {
      if (row.trim() === "") return;
      const [a, b, ...rest] = row.split(",").map((s) => Number(s.trim()));
      if (
        rest.length > 0 ||
        !(Number.isInteger(a) && a! >= 0 && a! < names.length) ||
        !(Number.isInteger(b) && b! >= 0 && b! < npts)
      ) {
        throw new FormatError(
          paths.medoids,
          `line ${i + 1}`,
          `"<label number < ${names.length}>, <point id < ${npts}>"`,
          JSON.stringify(row),
        );
      }
      startPoints[a!] = b!;
    });
  }
  return { labels: { npts, offsets, ids: Uint32Array.from(ids), names, universal }, startPoints };
}
