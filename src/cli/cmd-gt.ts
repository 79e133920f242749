// `ringann gt`: exact ground truth for a query file against a base file, written as a DiskANN truth
// file (int32 nq | int32 K | uint32 ids | float32 dists).
import { readFileSync } from "node:fs";
import { computeFilteredTruth, radiusForMeanCount, rangeFromTopK } from "../data/filtered-truth.ts";
import { runGroundTruth } from "../data/gt-run.ts";
import { LabelStore } from "../filter/label-store.ts";
import { parseAttributeLines } from "../format/attribute-file.ts";
import { parseLabelText } from "../format/label-files.ts";
import { writeRangeTruth } from "../format/range-truth.ts";
import { writeTruth } from "../format/truth.ts";
import { openVectorFile } from "../format/vector-file.ts";
import { METRICS, VECTOR_TYPES, type Metric, type VectorType, type Vectors } from "../format/vector-type.ts";
import { UsageError } from "../errors.ts";
import { flagBool, flagNumber, flagString, parseArgs, renderHelp, requireString, type FlagSpec } from "./args.ts";
import { EXIT_OK, type Command } from "./command.ts";
import { FILTER_FLAGS, readQueryFilters } from "./query-filters.ts";

const FLAGS: Record<string, FlagSpec> = {
  base: { type: "string", help: "base vectors (.fbin/.u8bin/.i8bin/.bin, .fvecs/.bvecs, MNIST idx)" },
  queries: { type: "string", help: "query vectors (same formats)" },
  out: { type: "string", help: "ground-truth file to write (DiskANN format)" },
  k: { type: "string", help: "neighbours per query", default: "100" },
  metric: { type: "string", help: "l2 (squared), ip (−dot) or cosine (squared L2 of unit vectors)", default: "l2" },
  threads: { type: "string", help: "worker threads (default: every core)" },
  "chunk-mb": { type: "string", help: "MiB of base rows per chunk (two are held in memory)", default: "64" },
  type: { type: "string", help: "element type of a plain .bin: float32|uint8|int8" },
  "queries-limit": { type: "string", help: "use only the first N queries" },
  quiet: { type: "boolean", help: "no progress bar" },
  "base-labels": {
    type: "string",
    help: "filtered truth: the base's label file (one line per point, comma-separated)",
  },
  "universal-label": { type: "string", help: "filtered truth: the label that matches every label filter" },
  "base-attributes": { type: "string", help: "filtered truth: the base's numeric attributes (JSON lines)" },
  ...FILTER_FLAGS,
  radius: { type: "string", help: "range truth: every point within this distance (same units as --metric)" },
  "mean-count": {
    type: "string",
    help: "range truth: choose the radius at which queries hold this many points on average",
  },
  "range-k": {
    type: "string",
    help: "range truth: neighbours computed per query before cutting at the radius",
    default: "4096",
  },
};

export function parseMetric(raw: string): Metric {
  if (!(METRICS as readonly string[]).includes(raw))
    throw new UsageError(`--metric must be one of ${METRICS.join("|")}, got '${raw}'`);
  return raw as Metric;
}

export function parseVectorType(raw: string | undefined): VectorType | undefined {
  if (raw === undefined) return undefined;
  if (!(VECTOR_TYPES as readonly string[]).includes(raw))
    throw new UsageError(`--type must be one of ${VECTOR_TYPES.join("|")}, got '${raw}'`);
  return raw as VectorType;
}

export const command: Command = {
  name: "gt",
  summary: "compute exact ground truth (all cores, chunked)",
  help: renderHelp(
    "ringann gt --base B --queries Q --out GT [--k 100] [--metric l2|ip|cosine] [--base-labels F --query-filters F | --radius R]",
    "Exact k nearest neighbours of every query by blocked brute force on all cores. The base is streamed in\n" +
      "chunks, so memory stays bounded; ties go to the lower id; uint8/int8 data is compared exactly.\n" +
      "Output: int32 nq | int32 K | uint32 ids[nq*K] | float32 dists[nq*K], nearest first.\n" +
      "Filtered (--base-labels/--base-attributes with --filter or --query-filters): the k nearest among the points\n" +
      "matching each query's filter, same format; fewer matches than k are padded with id 0xFFFFFFFF.\n" +
      "Range (--radius or --mean-count): every point within the radius, DiskANN's range-truth format\n" +
      "(int32 nq | int32 total | int32 counts[nq] | uint32 ids[total]).",
    FLAGS,
    [
      "ringann gt --base data/fmnist/base.u8bin --queries data/fmnist/queries.u8bin --out data/fmnist/gt100.bin --k 100",
      "ringann gt --base data/fmnist/base.u8bin --queries data/fmnist/queries.u8bin --out data/fmnist/gt_filtered.bin \\\n" +
        "    --base-labels data/fmnist/base_labels.txt --query-filters data/fmnist/query_filters.txt --queries-limit 1000",
      "ringann gt --base data/fmnist/base.u8bin --queries data/fmnist/queries.u8bin --out data/fmnist/range100.bin --mean-count 100",
    ],
  ),
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const type = parseVectorType(flagString(args, "type"));
    const metric = parseMetric(requireString(args, "metric"));
    const k = flagNumber(args, "k", { integer: true, min: 1 })!;
    const threads = flagNumber(args, "threads", { integer: true, min: 1 });
    const chunkMb = flagNumber(args, "chunk-mb", { min: 0.001 })!;
    const limit = flagNumber(args, "queries-limit", { integer: true, min: 1 });
    const out = requireString(args, "out");
    const base = openVectorFile(requireString(args, "base"), { type });
    try {
      const qFile = openVectorFile(requireString(args, "queries"), { type });
      const nq = Math.min(qFile.npts, limit ?? qFile.npts);
      const qData = qFile.readRows(0, nq);
      qFile.close();
      if (qFile.type === "int32")
        throw new UsageError(`${qFile.file} holds int32 vectors (.ivecs); queries must be float32, uint8 or int8`);
      const queries = { npts: nq, dim: qFile.dim, type: qFile.type, data: qData as Vectors };
      const filters = readQueryFilters(args, nq);
      if (filters !== null) {
        const labelsFile = flagString(args, "base-labels");
        const attrsFile = flagString(args, "base-attributes");
        if (labelsFile === undefined && attrsFile === undefined)
          throw new UsageError("a filtered truth needs --base-labels and/or --base-attributes");
        const labels = labelsFile
          ? parseLabelText(readFileSync(labelsFile, "utf8"), labelsFile, flagString(args, "universal-label"))
          : null;
        const attrs = attrsFile ? parseAttributeLines(readFileSync(attrsFile, "utf8"), attrsFile) : null;
        for (const [file, n] of [
          [labelsFile, labels?.npts],
          [attrsFile, attrs?.npts],
        ] as const) {
          if (file !== undefined && n !== base.npts)
            throw new UsageError(`${file} describes ${n} points, the base has ${base.npts}`);
        }
        const store = new LabelStore(labels, attrs, null, base.npts);
        const matches = filters.map((f, q) => store.evaluate(f, `query filter ${q + 1}`));
        const data = base.readRows(0, base.npts) as Vectors;
        if (base.type === "int32") throw new UsageError(`${base.file} holds int32 vectors`);
        const t0 = performance.now();
        const truth = computeFilteredTruth(
          { npts: base.npts, dim: base.dim, type: base.type, data },
          queries,
          (q) => matches[q]!.ids(),
          { k, metric },
        );
        writeTruth(out, truth);
        const mean = matches.reduce((s, m) => s + m.selectivity, 0) / nq;
        console.log(
          `wrote ${out}: ${nq} queries × k ${k} (${metric}), filtered (mean selectivity ${(100 * mean).toFixed(2)}%); ` +
            `${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
        return EXIT_OK;
      }
      const radiusFlag = flagNumber(args, "radius", { min: 0 });
      const meanCount = flagNumber(args, "mean-count", { min: 1 });
      if (radiusFlag !== undefined || meanCount !== undefined) {
        if (radiusFlag !== undefined && meanCount !== undefined)
          throw new UsageError("--radius and --mean-count exclude each other");
        const rangeK = Math.min(base.npts, flagNumber(args, "range-k", { integer: true, min: 1 })!);
        const top = await runGroundTruth(base, queries, {
          k: rangeK,
          metric,
          threads,
          chunkBytes: Math.round(chunkMb * 2 ** 20),
          quiet: flagBool(args, "quiet"),
        });
        const radius = radiusFlag ?? radiusForMeanCount(top.truth, meanCount!);
        const { range, saturated } = rangeFromTopK(top.truth, radius);
        if (saturated > 0) {
          throw new UsageError(
            `${saturated} queries have ≥ ${rangeK} points within radius ${radius}: raise --range-k (the truth would be cut)`,
          );
        }
        writeRangeTruth(out, range);
        console.log(
          `wrote ${out}: range truth, radius ${radius} (${metric}), ${nq} queries, mean ${(range.offsets[nq]! / nq).toFixed(1)} points ` +
            `(min ${minCount(range.offsets)}, max ${maxCount(range.offsets)})`,
        );
        return EXIT_OK;
      }
      const run = await runGroundTruth(base, queries, {
        k,
        metric,
        threads,
        chunkBytes: Math.round(chunkMb * 2 ** 20),
        quiet: flagBool(args, "quiet"),
      });
      writeTruth(out, run.truth);
      console.log(
        `wrote ${out}: ${nq} queries × k ${k} (${metric}) against ${base.npts} × ${base.dim} ${base.type}; ` +
          `${run.seconds.toFixed(1)} s, ${(run.distancesPerSecond / 1e6).toFixed(2)} M distances/s`,
      );
    } finally {
      base.close();
    }
    return EXIT_OK;
  },
};

function minCount(offsets: Uint32Array): number {
  let m = Infinity;
  for (let q = 0; q + 1 < offsets.length; q++) m = Math.min(m, offsets[q + 1]! - offsets[q]!);
  return m;
}

function maxCount(offsets: Uint32Array): number {
  let m = 0;
  for (let q = 0; q + 1 < offsets.length; q++) m = Math.max(m, offsets[q + 1]! - offsets[q]!);
  return m;
}
