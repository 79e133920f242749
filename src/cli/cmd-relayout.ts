// `ringann relayout PREFIX --out NEW`: an existing disk index (ringann's, DiskANN's or PipeANN's)
// rewritten with a page-aware layout (build/relayout.ts, docs/page-layout.md).
import { ProgressReporter } from "../build/phase-reporter.ts";
import {
  DEFAULT_REFINE_PASSES,
  EDGE_WEIGHTS,
  type EdgeWeight,
  PAGE_ALGORITHMS,
  relayoutIndex,
  type PageAlgorithm,
  type RelayoutResult,
} from "../build/relayout.ts";
import { UsageError } from "../errors.ts";
import { VECTOR_TYPES, type VectorType } from "../format/vector-type.ts";
import { flagBool, flagString, parseArgs, renderHelp, requireString, type FlagSpec } from "./args.ts";
import { EXIT_OK, type Command } from "./command.ts";
import { formatDuration } from "../progress/progress.ts";

const FLAGS: Record<string, FlagSpec> = {
  out: { type: "string", help: "output prefix (may equal PREFIX: the files are replaced once all are written)" },
  type: {
    type: "string",
    help: "vector type when PREFIX has no _ringann.json (DiskANN/PipeANN indexes): float32 | uint8 | int8",
  },
  algorithm: {
    type: "string",
    help:
      "greedy (most rank-weighted edges, in and out, between the candidate and the block) | greedy-out (out-edges " +
      "only: the first packing, a baseline) | seed-neighbours (Starling's simpler padding, a baseline)",
    default: "greedy",
  },
  "refine-passes": {
    type: "string",
    help:
      "most refinement passes after the packing: each swaps nodes into the sector holding most of their in- and " +
      "out-neighbours, stopping when a pass gains < 0.5% (0 = packing only)",
    default: String(DEFAULT_REFINE_PASSES),
  },
  "edge-weight": {
    type: "string",
    help:
      "rank (an edge weighs R - its rank in its source's sorted list) | mixed (R + R - rank: half edge count; " +
      "fewer reads on a 1M uint8 set, more on GloVe)",
    default: "rank",
  },
  json: { type: "boolean", help: "end with one JSON line {seconds, peak_rss_mb, overlap, ...}" },
  quiet: { type: "boolean", help: "no progress bars" },
};

const USAGE =
  "ringann relayout PREFIX --out NEW [--algorithm greedy|greedy-out|seed-neighbours] [--refine-passes N] [--edge-weight rank|mixed]\n" +
  "                 [--type float32|uint8|int8] [--json] [--quiet]";

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** The lines both `relayout` and `build --layout page` print. */
export function describeRelayout(r: RelayoutResult): string {
  const passes = r.refine
    .map(
      (p) =>
        `  refinement pass ${p.pass}: ${p.swaps.toLocaleString("en-US")} swaps, overlap ${pct(p.overlap.outNeighbours)} / ${pct(p.overlap.sectorMates)}, ${formatDuration(p.seconds)}\n`,
    )
    .join("");
  const packed =
    r.refine.length > 0
      ? `packing alone: ${pct(r.overlapPacked.outNeighbours)} of out-neighbours / ${pct(r.overlapPacked.sectorMates)} of sector mates\n${passes}`
      : "";
  return (
    packed +
    `page layout ${r.prefix}_disk.index: ${r.npts.toLocaleString("en-US")} nodes, ${r.nodesPerSector} per sector\n` +
    `overlap (out-neighbours in the node's own sector): ${pct(r.overlapBefore.outNeighbours)} in id order -> ${pct(r.overlap.outNeighbours)}; ` +
    `sector mates that are out-neighbours: ${pct(r.overlapBefore.sectorMates)} -> ${pct(r.overlap.sectorMates)}\n` +
    `time ${formatDuration(r.seconds)}, peak resident memory ${Math.round(r.peakRssMb)} MB\n`
  );
}

export function relayoutJson(r: RelayoutResult, reporter: ProgressReporter): string {
  return JSON.stringify({
    prefix: r.prefix,
    npts: r.npts,
    nodes_per_sector: r.nodesPerSector,
    seconds: Math.round(r.seconds * 1000) / 1000,
    peak_rss_mb: Math.round(r.peakRssMb),
    overlap_before: r.overlapBefore,
    overlap: r.overlap,
    overlap_packed: r.overlapPacked,
    refine: r.refine,
    files: r.files,
    phases: Object.fromEntries(reporter.phaseSeconds.map((p) => [p.label, Math.round(p.seconds * 1000) / 1000])),
  });
}

export const command: Command = {
  name: "relayout",
  summary: "rewrite an index with a page-aware layout (neighbours share sectors)",
  help: renderHelp(
    USAGE,
    "Renumbers the nodes of an existing disk index so that a node's graph neighbours tend to sit in its own 4 KiB\n" +
      "sector (greedy block-neighbour packing, then swap passes, as Starling's block shuffling), and writes\n" +
      "NEW_disk.index (an ordinary DiskANN file over the renumbered points), the PQ codes and entry graph renumbered to match,\n" +
      "NEW_disk.index.tags (original id of every node: searches report original ids) and NEW_page.json (overlap\n" +
      "ratios, time, memory). Searching NEW uses page search: every node of a fetched sector is used.\n" +
      "Needs ≥ 2 nodes per sector. Memory: the graph (npts x R x 4 bytes), its reverse (5 bytes per edge) and the\n" +
      "PQ codes; vectors are streamed.",
    FLAGS,
    [
      "ringann relayout idx/glove --out idx/glove-page",
      "ringann relayout test/fixtures/pipeann-syn10k/syn10k --out idx/syn10k-page --type float32 --json",
    ],
  ),
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    const src = args.positionals[0];
    if (src === undefined || args.positionals.length > 1)
      throw new UsageError("Expected exactly one PREFIX (the path before _disk.index)");
    const typeFlag = flagString(args, "type");
    if (typeFlag !== undefined && !VECTOR_TYPES.includes(typeFlag as VectorType)) {
      throw new UsageError(`--type must be one of ${VECTOR_TYPES.join(", ")}, got '${typeFlag}'`);
    }
    const algorithm = requireString(args, "algorithm") as PageAlgorithm;
    if (!PAGE_ALGORITHMS.includes(algorithm))
      throw new UsageError(`--algorithm must be one of ${PAGE_ALGORITHMS.join(", ")}, got '${algorithm}'`);
    const refinePasses = Number(requireString(args, "refine-passes"));
    if (!Number.isInteger(refinePasses) || refinePasses < 0)
      throw new UsageError(`--refine-passes must be an integer ≥ 0, got '${flagString(args, "refine-passes")}'`);
    const edgeWeight = requireString(args, "edge-weight") as EdgeWeight;
    if (!EDGE_WEIGHTS.includes(edgeWeight))
      throw new UsageError(`--edge-weight must be one of ${EDGE_WEIGHTS.join(", ")}, got '${edgeWeight}'`);
    const quiet = flagBool(args, "quiet");
    const reporter = new ProgressReporter(quiet);
    const r = relayoutIndex({
      src,
      out: requireString(args, "out"),
      type: typeFlag as VectorType | undefined,
      algorithm,
      refinePasses,
      edgeWeight,
      reporter,
    });
    if (!quiet) process.stderr.write(describeRelayout(r));
    if (flagBool(args, "json")) console.log(relayoutJson(r, reporter));
    return EXIT_OK;
  },
};
