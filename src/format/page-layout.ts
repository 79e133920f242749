// The files of a page-aware layout (docs/page-layout.md). A relayout renumbers the nodes so that
// sector s holds nodes s*C .. s*C+C-1 (C = nodes per sector) and graph neighbours tend to share a
// sector; the disk index stays an ordinary DiskANN file over the renumbered points. Two files go
// next to it:
//   <prefix>_disk.index.tags   .bin<uint32> npts × 1: the original id of every node (a permutation).
//                              The name and shape are PipeANN's disk-index tag file, so PipeANN
//                              (enable_tags) reports original ids from this index too.
//   <prefix>_page.json         what made the layout (algorithm, overlap ratios, time, memory); its
//                              presence is what turns page search on by default.
// Pure functions of bytes plus a small reader; parsing names the file and field on every mismatch.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { z } from "zod";
import { FormatError } from "../errors.ts";
import { dataViewOf, readI32 } from "./u64-fields.ts";

export const NODE_TAGS_SUFFIX = "_disk.index.tags";
export const PAGE_META_SUFFIX = "_page.json";

const OverlapSchema = z.object({
  /** Mean over nodes of |out-neighbours in the node's own sector| / degree (the issue's measure). */
  outNeighbours: z.number().min(0).max(1),
  /** Mean over nodes of |out-neighbours in the sector| / (nodes in the sector − 1) (Starling's OR). */
  sectorMates: z.number().min(0).max(1),
});

const PageMetaSchema = z.object({
  format: z.literal("ringann-page-layout"),
  version: z.literal(1),
  npts: z.number().int().positive(),
  nodesPerSector: z.number().int().min(2),
  algorithm: z.string(),
  /** Overlap of the input's sector order and of this layout. */
  overlapBefore: OverlapSchema,
  overlap: OverlapSchema,
  /** Overlap of the packing before the refinement passes, and each pass (absent: no refinement). */
  overlapPacked: OverlapSchema.optional(),
  refine: z
    .array(
      z.object({
        pass: z.number().int().positive(),
        swaps: z.number().int().nonnegative(),
        overlap: OverlapSchema,
        seconds: z.number().nonnegative(),
      }),
    )
    .optional(),
  seconds: z.number().nonnegative(),
  peakRssMb: z.number().nonnegative(),
  source: z.string(),
  createdAt: z.string(),
});

export type PageMeta = z.infer<typeof PageMetaSchema>;
export type OverlapRatios = z.infer<typeof OverlapSchema>;

export function encodePageMeta(meta: PageMeta): string {
  return JSON.stringify(PageMetaSchema.parse(meta), null, 2) + "\n";
}

export function parsePageMeta(text: string, file: string): PageMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new FormatError(file, "json", "valid JSON", (err as Error).message);
  }
  const r = PageMetaSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new FormatError(file, issue.path.join(".") || "(root)", issue.message, "a different value");
  }
  return r.data;
}

/** `<prefix>_page.json`, or null when the index has no page layout. */
export function readPageMeta(prefix: string): PageMeta | null {
  const file = prefix + PAGE_META_SUFFIX;
  if (!existsSync(file)) return null;
  return parsePageMeta(readFileSync(file, "utf8"), file);
}

/** Encodes the node tags (original id of each node) as .bin<uint32> n × 1. */
export function encodeNodeTags(tags: Uint32Array): Uint8Array {
  const out = new Uint8Array(8 + tags.byteLength);
  const view = dataViewOf(out);
  view.setInt32(0, tags.length, true);
  view.setInt32(4, 1, true);
  out.set(new Uint8Array(tags.buffer, tags.byteOffset, tags.byteLength), 8);
  return out;
}

/**
 * Parses `<prefix>_disk.index.tags` and checks it is a permutation of 0..npts-1 (ringann's relayout
 * writes one; PipeANN tag files with arbitrary tags are refused rather than misread).
 */
export function parseNodeTags(bytes: Uint8Array, file: string, npts: number): Uint32Array {
  if (bytes.length < 8)
    throw new FormatError(file, "header", "8 bytes (rows, cols)", `${bytes.length} bytes`, "E_TRUNCATED");
  const view = dataViewOf(bytes);
  const rows = readI32(view, 0, file, "rows");
  const cols = readI32(view, 4, file, "cols");
  if (cols !== 1) throw new FormatError(file, "cols", "1", String(cols));
  if (rows !== npts) throw new FormatError(file, "rows", `${npts} (the disk index's npts)`, String(rows));
  if (bytes.length !== 8 + 4 * rows)
    throw new FormatError(file, "file size", `${8 + 4 * rows} bytes`, `${bytes.length} bytes`);
  const tags = new Uint32Array(bytes.slice(8).buffer);
  const seen = new Uint8Array(npts);
  for (let i = 0; i < rows; i++) {
    const t = tags[i]!;
    if (t >= npts)
      throw new FormatError(file, `tags[${i}]`, `< npts (${npts}): a permutation of the original ids`, String(t));
    if (seen[t] === 1) throw new FormatError(file, `tags[${i}]`, "each original id once (a permutation)", `${t} again`);
    seen[t] = 1;
  }
  return tags;
}

/** `<prefix>_disk.index.tags` when present (original id of each node), else null (ids are original). */
export function readNodeTags(prefix: string, npts: number): Uint32Array | null {
  const file = prefix + NODE_TAGS_SUFFIX;
  if (!existsSync(file)) return null;
  return parseNodeTags(new Uint8Array(readFileSync(file)), file, npts);
}

/**
 * Removes a page layout's own files at `prefix` (a new id-order index written over an old page
 * layout must not inherit its tags: they would renumber every result).
 */
export function removePageLayoutFiles(prefix: string): void {
  rmSync(prefix + NODE_TAGS_SUFFIX, { force: true });
  rmSync(prefix + PAGE_META_SUFFIX, { force: true });
}
