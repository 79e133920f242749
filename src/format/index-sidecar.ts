// `<prefix>_ringann.json`: what the DiskANN files cannot say — metric, vector type, build
// parameters. Written by `ringann build`; readers use it when present and otherwise assume what a
// PipeANN/DiskANN-written index implies (L2, float32) unless told explicitly.
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { FormatError } from "../errors.ts";
import type { Metric, VectorType } from "./vector-type.ts";

export const SIDECAR_SUFFIX = "_ringann.json";

const SidecarSchema = z.object({
  format: z.literal("ringann-index"),
  version: z.literal(1),
  metric: z.enum(["l2", "ip", "cosine"]),
  type: z.enum(["float32", "uint8", "int8"]),
  npts: z.number().int().positive(),
  dim: z.number().int().positive(),
  R: z.number().int().positive(),
  L: z.number().int().positive(),
  alpha: z.number().positive(),
  pqBytes: z.number().int().positive(),
  medoid: z.number().int().nonnegative(),
  /** Stored vectors were unit-normalised (cosine). */
  normalized: z.boolean(),
  saturate: z.boolean(),
  seed: z.number().int(),
  threads: z.number().int().positive(),
  buildSeconds: z.number().nonnegative(),
  peakRssMb: z.number().nonnegative(),
  kernel: z.string(),
  entryGraph: z.object({ npts: z.number().int().nonnegative(), R: z.number().int(), L: z.number().int() }).nullable(),
  createdAt: z.string(),
  /**
   * Label-aware build (issue 12): a node's own id in its neighbour list ends the edges unfiltered
   * search follows; the edges after it link points that share a label (build/label-edges.ts).
   */
  labelEdges: z.boolean().optional(),
});

export type IndexSidecar = z.infer<typeof SidecarSchema>;

export function sidecarPath(prefix: string): string {
  return prefix + SIDECAR_SUFFIX;
}

export function encodeSidecar(sidecar: IndexSidecar): string {
  return JSON.stringify(SidecarSchema.parse(sidecar), null, 2) + "\n";
}

/** Parses sidecar JSON text; problems name the field. */
export function parseSidecar(text: string, file: string): IndexSidecar {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new FormatError(file, "json", "valid JSON", (err as Error).message);
  }
  const result = SidecarSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new FormatError(
      file,
      issue.path.join(".") || "(root)",
      issue.message,
      JSON.stringify(
        issue.path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k as string], raw),
      ),
    );
  }
  return result.data;
}

/** The sidecar of `prefix`, or null when the index has none (e.g. written by PipeANN). */
export function readSidecar(prefix: string): IndexSidecar | null {
  const file = sidecarPath(prefix);
  if (!existsSync(file)) return null;
  return parseSidecar(readFileSync(file, "utf8"), file);
}

/** Metric and type for reading an index: explicit options win, then the sidecar, then L2/float32. */
export function indexDataKind(
  prefix: string,
  explicit: { metric?: Metric; type?: VectorType } = {},
): { metric: Metric; type: VectorType; sidecar: IndexSidecar | null } {
  const sidecar = readSidecar(prefix);
  return {
    metric: explicit.metric ?? sidecar?.metric ?? "l2",
    type: explicit.type ?? sidecar?.type ?? "float32",
    sidecar,
  };
}
