// `ringann build`: vectors file → DiskANN-format disk index (+ PQ files, entry graph, sidecar).
import { readFileSync } from "node:fs";
import { attachLabels } from "../build/attach-labels.ts";
import { parseLabelText } from "../format/label-files.ts";
import { buildIndex, BUILD_DEFAULTS } from "../build/build-index.ts";
import { relayoutIndex, type RelayoutResult } from "../build/relayout.ts";
import { ProgressReporter } from "../build/phase-reporter.ts";
import { METRICS, VECTOR_TYPES, type Metric, type VectorType } from "../format/vector-type.ts";
import { UsageError } from "../errors.ts";
import { flagBool, flagNumber, flagString, parseArgs, renderHelp, requireString, type FlagSpec } from "./args.ts";
import { EXIT_INTERRUPTED, EXIT_OK, type Command } from "./command.ts";
import { formatDuration } from "../progress/progress.ts";
import { describeRelayout } from "./cmd-relayout.ts";

const FLAGS: Record<string, FlagSpec> = {
  data: { type: "string", help: "vectors: .fbin/.u8bin/.i8bin/.bin, .fvecs/.bvecs or MNIST idx (.gz)" },
  out: {
    type: "string",
    help: "output prefix: writes PREFIX_disk.index, _pq_pivots.bin, _pq_compressed.bin, _mem.index*, _ringann.json",
  },
  metric: {
    type: "string",
    help: "l2 | ip | cosine (cosine stores unit vectors, compared with l2)",
    default: BUILD_DEFAULTS.metric,
  },
  type: {
    type: "string",
    help: "element type for a plain .bin of 1-byte values: uint8 | int8 (else from the extension)",
  },
  R: { type: "string", help: "maximum graph degree", default: String(BUILD_DEFAULTS.R) },
  L: { type: "string", help: "candidate list size while building", default: String(BUILD_DEFAULTS.L) },
  alpha: { type: "string", help: "pruning slack of the second pass", default: String(BUILD_DEFAULTS.alpha) },
  "pq-bytes": {
    type: "string",
    help: "PQ bytes (chunks) per vector kept in memory by search",
    default: String(BUILD_DEFAULTS.pqBytes),
  },
  threads: { type: "string", help: "build threads (Workers)", default: String(navigator.hardwareConcurrency) },
  "ram-gb": { type: "string", help: "refuse to start when the build would need more memory than this (GiB)" },
  seed: {
    type: "string",
    help: "seed for sampling and insertion order (1 thread + seed = identical files)",
    default: String(BUILD_DEFAULTS.seed),
  },
  saturate: {
    type: "boolean",
    help: "fill free neighbour slots with the nearest pruned candidates (as PipeANN's builder)",
  },
  "no-entry-graph": { type: "boolean", help: "skip PipeANN's 1% in-memory entry graph" },
  "pivots-nr4": {
    type: "boolean",
    help: "write _pq_pivots.bin with 4 offsets (DiskANN) instead of 5 (PipeANN + DiskANN)",
  },
  layout: {
    type: "string",
    help: "sector layout: id (DiskANN's id order) | page (neighbours share sectors, as `ringann relayout`)",
    default: "id",
  },
  labels: {
    type: "string",
    help: "per-point labels (DiskANN's label text: one line per point, comma-separated); written beside the index",
  },
  "universal-label": { type: "string", help: "the label that matches every label filter (DiskANN's universal label)" },
  "label-aware": {
    type: "boolean",
    help:
      "with --labels: add edges among each label's points in free neighbour slots (after a marker unfiltered search " +
      "stops at, so unfiltered queries walk the plain graph) and connect every label's points from its start point",
  },
  attributes: {
    type: "string",
    help: 'per-point numeric attributes, JSON lines ({"price": 12.5}); written beside the index',
  },
  json: { type: "boolean", help: "end with one JSON line {seconds, peak_rss_mb, ...}" },
  quiet: { type: "boolean", help: "no progress bars" },
};

const USAGE =
  "ringann build --data FILE --out PREFIX [--layout id|page] [--metric l2|ip|cosine] [--R 64] [--L 100] [--alpha 1.2] [--pq-bytes 32] [--threads N] [--ram-gb G] [--seed S] [--labels F] [--attributes F] [--json] [--quiet]";

export const command: Command = {
  name: "build",
  summary: "build a disk index (PQ + Vamana graph + DiskANN layout)",
  help: renderHelp(
    USAGE,
    "Builds a DiskANN-format disk index: PQ codes (k-means), a Vamana graph (two passes, alpha 1 then --alpha,\n" +
      "on all threads), nodes packed in 4 KiB sectors, and PipeANN's 1% in-memory entry graph. Files appear under\n" +
      "their final names only once the whole build has finished. Prints the peak resident memory at the end.",
    FLAGS,
    [
      "ringann build --data data/fmnist/base.u8bin --out idx/fmnist --R 64 --L 100",
      "ringann build --data data/glove100/base.fbin --out idx/glove --metric cosine --threads 2 --ram-gb 2 --json",
      "ringann build --data data/fmnist/base.u8bin --out idx/fmnist --labels data/fmnist/base_labels.txt",
    ],
  ),
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    if (args.positionals.length > 0) throw new UsageError(`Unexpected argument '${args.positionals[0]}'`);
    const metric = requireString(args, "metric") as Metric;
    if (!METRICS.includes(metric))
      throw new UsageError(`--metric must be one of ${METRICS.join(", ")}, got '${metric}'`);
    const typeFlag = flagString(args, "type");
    if (typeFlag !== undefined && !VECTOR_TYPES.includes(typeFlag as VectorType)) {
      throw new UsageError(`--type must be one of ${VECTOR_TYPES.join(", ")}, got '${typeFlag}'`);
    }
    const layout = requireString(args, "layout");
    if (layout !== "id" && layout !== "page") throw new UsageError(`--layout must be id or page, got '${layout}'`);
    const quiet = flagBool(args, "quiet");
    const json = flagBool(args, "json");
    const reporter = new ProgressReporter(quiet);
    // Ctrl-C / SIGTERM abort the build: its temporary files are removed and nothing appears under a
    // final name. A second signal exits at once (still nothing under a final name).
    const abort = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      if (abort.signal.aborted) process.exit(EXIT_INTERRUPTED);
      process.stderr.write(
        `\nringann build: ${signal}: stopping and removing temporary files (again to exit at once)\n`,
      );
      abort.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    let result: Awaited<ReturnType<typeof buildIndex>>;
    const labelsPath = flagString(args, "labels");
    const labelAware = flagBool(args, "label-aware");
    if (layout === "page" && (labelsPath !== undefined || flagString(args, "attributes") !== undefined)) {
      // The page layout renumbers points; label and attribute files are by the build's ids.
      throw new UsageError(
        "--layout page cannot be combined with --labels/--attributes yet: build with --layout id for filtered search",
      );
    }
    if (labelAware && labelsPath === undefined) throw new UsageError("--label-aware needs --labels");
    const labels =
      labelAware && labelsPath !== undefined
        ? parseLabelText(readFileSync(labelsPath, "utf8"), labelsPath, flagString(args, "universal-label"))
        : undefined;
    try {
      result = await buildIndex({
        data: requireString(args, "data"),
        outPrefix: requireString(args, "out"),
        type: typeFlag as VectorType | undefined,
        metric,
        R: flagNumber(args, "R", { integer: true, min: 1, max: 1024 }),
        L: flagNumber(args, "L", { integer: true, min: 1 }),
        alpha: flagNumber(args, "alpha", { min: 1, max: 4 }),
        pqBytes: flagNumber(args, "pq-bytes", { integer: true, min: 1 }),
        threads: flagNumber(args, "threads", { integer: true, min: 1, max: 256 }),
        ramGb: flagNumber(args, "ram-gb", { min: 0 }),
        seed: flagNumber(args, "seed", { integer: true }),
        saturate: flagBool(args, "saturate"),
        entryGraph: !flagBool(args, "no-entry-graph"),
        pivotsVariant: flagBool(args, "pivots-nr4") ? 4 : 5,
        reporter,
        signal: abort.signal,
        labels,
        labelAware,
      });
    } catch (err) {
      if (!abort.signal.aborted) throw err;
      process.stderr.write("ringann build: interrupted; no index was written\n");
      return EXIT_INTERRUPTED;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    const labelsFile = flagString(args, "labels");
    const attributesFile = flagString(args, "attributes");
    let attached: ReturnType<typeof attachLabels> | null = null;
    if (labelsFile !== undefined || attributesFile !== undefined) {
      attached = attachLabels(result.prefix, {
        labels: labelsFile,
        universalLabel: flagString(args, "universal-label"),
        attributes: attributesFile,
        data: requireString(args, "data"),
        type: typeFlag as VectorType | undefined,
      });
    }
    // The page layout renumbers the finished index in place (its files are replaced only when all are written).
    let page: RelayoutResult | null = null;
    if (layout === "page") page = relayoutIndex({ src: result.prefix, out: result.prefix, reporter });
    if (!quiet) {
      if (page !== null) process.stderr.write(describeRelayout(page));
      if (result.stitch) {
        const st = result.stitch;
        process.stderr.write(
          `label-aware: ${st.labels} labels stitched, ${st.edgesProposed} edges proposed, ${st.edgesPlaced} placed in free slots, ` +
            `${st.repairEdges} repair edges for ${st.labelsRepaired} labels (${st.plainDisplaced} plain edges given up), ` +
            `${st.seconds.toFixed(1)} s (proposals ${st.proposeSeconds.toFixed(1)} s; Vamana passes ${result.graphSeconds.toFixed(1)} s)\n`,
        );
      }
      if (attached) {
        process.stderr.write(
          `labels: ${attached.labels} labels with start points, attributes: ${attached.attributes.join(", ") || "none"} ` +
            `(${attached.seconds.toFixed(1)} s)\n`,
        );
      }
      process.stderr.write(
        `built ${result.prefix}_disk.index: ${result.npts.toLocaleString("en-US")} x ${result.dim} ${result.type}, ${result.metric}, ` +
          `R ${result.R}, L ${result.L}, alpha ${result.alpha}, PQ ${result.pqBytes} B, medoid ${result.medoid}, kernel ${result.kernel}\n` +
          `time ${formatDuration(result.seconds)}, peak resident memory ${Math.round(result.peakRssMb)} MB (estimated ${Math.round(result.estimatedBytes / 2 ** 20)} MB)\n`,
      );
    }
    if (json) {
      console.log(
        JSON.stringify({
          seconds: Math.round(result.seconds * 1000) / 1000,
          peak_rss_mb: Math.round(result.peakRssMb),
          estimated_mb: Math.round(result.estimatedBytes / 2 ** 20),
          prefix: result.prefix,
          npts: result.npts,
          dim: result.dim,
          type: result.type,
          metric: result.metric,
          R: result.R,
          L: result.L,
          alpha: result.alpha,
          pq_bytes: result.pqBytes,
          medoid: result.medoid,
          kernel: result.kernel,
          distance_computations: result.comparisons,
          graph_seconds: Math.round(result.graphSeconds * 1000) / 1000,
          label_stitch: result.stitch
            ? { ...result.stitch, seconds: Math.round(result.stitch.seconds * 1000) / 1000 }
            : null,
          phases: Object.fromEntries(reporter.phaseSeconds.map((p) => [p.label, Math.round(p.seconds * 1000) / 1000])),
          layout,
          ...(page === null
            ? {}
            : {
                relayout_seconds: Math.round(page.seconds * 1000) / 1000,
                overlap_before: page.overlapBefore,
                overlap: page.overlap,
              }),
        }),
      );
    }
    return EXIT_OK;
  },
};
