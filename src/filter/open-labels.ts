// Loads an index's labels and attributes (DiskANN's label files beside <prefix>_disk.index, and
// ringann's attribute file) into a LabelStore; an index with neither gets an empty store, on which
// any label or range filter fails with an error that says so.
import { readAttributeFile } from "../format/attribute-file.ts";
import { hasLabelFiles, readLabelFiles } from "../format/label-files.ts";
import { LabelStore } from "./label-store.ts";

export function openLabelStore(prefix: string, npts: number): LabelStore {
  const labels = hasLabelFiles(prefix) ? readLabelFiles(prefix, npts) : null;
  const attributes = readAttributeFile(prefix, npts);
  return new LabelStore(labels?.labels ?? null, attributes, labels?.startPoints ?? null, npts);
}
