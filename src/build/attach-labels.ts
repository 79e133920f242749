// Labels and attributes beside a disk index (issue 12): DiskANN's label files (<prefix>_disk.index_
// labels.txt, _labels_map.txt, _labels_to_medoids.txt, _universal_label.txt) and ringann's attribute
// file. The start point of each label is the label's point nearest to the label's mean. Used by
// `ringann build --labels` (after the graph is built) and `ringann labels` (an existing index).
import { readFileSync } from "node:fs";
import { FormatError } from "../errors.ts";
import { parseAttributeLines, writeAttributeFile } from "../format/attribute-file.ts";
import { parseLabelText, writeLabelFiles } from "../format/label-files.ts";
import { openVectorFile } from "../format/vector-file.ts";
import type { VectorType, Vectors } from "../format/vector-type.ts";
import { labelStartPoints } from "../filter/start-points.ts";

export interface AttachOptions {
  /** Label text file (one line per point). */
  labels?: string;
  /** DiskANN's universal label (matches every label filter). */
  universalLabel?: string;
  /** JSON-lines numeric attributes (one object per point). */
  attributes?: string;
  /** The vectors the index was built from (for the label start points). */
  data: string;
  type?: VectorType;
}

export interface AttachResult {
  labels: number;
  attributes: string[];
  seconds: number;
}

export function attachLabels(prefix: string, opts: AttachOptions): AttachResult {
  const t0 = performance.now();
  const file = openVectorFile(opts.data, { type: opts.type });
  let labels = 0;
  let attributes: string[] = [];
  try {
    if (opts.labels !== undefined) {
      const parsed = parseLabelText(readFileSync(opts.labels, "utf8"), opts.labels, opts.universalLabel);
      if (parsed.npts !== file.npts)
        throw new FormatError(
          opts.labels,
          "lines",
          `${file.npts} (one per point of ${file.file})`,
          String(parsed.npts),
        );
      const base = file.readRows(0, file.npts) as Vectors;
      writeLabelFiles(prefix, parsed, labelStartPoints(parsed, base, file.dim));
      labels = parsed.names.length;
    }
    if (opts.attributes !== undefined) {
      const attrs = parseAttributeLines(readFileSync(opts.attributes, "utf8"), opts.attributes);
      if (attrs.npts !== file.npts)
        throw new FormatError(
          opts.attributes,
          "lines",
          `${file.npts} (one per point of ${file.file})`,
          String(attrs.npts),
        );
      writeAttributeFile(prefix, attrs);
      attributes = [...attrs.columns.keys()];
    }
  } finally {
    file.close();
  }
  return { labels, attributes, seconds: (performance.now() - t0) / 1000 };
}
