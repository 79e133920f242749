// `ringann gt`: exact ground truth for a query file against a base file, written as a DiskANN truth
// file (int32 nq | int32 K | uint32 ids | float32 dists).
import { runGroundTruth } from "../data/gt-run.ts";
import { writeTruth } from "../format/truth.ts";
import { openVectorFile } from "../format/vector-file.ts";
import { METRICS, VECTOR_TYPES, type Metric, type VectorType, type Vectors } from "../format/vector-type.ts";
import { UsageError } from "../errors.ts";
import { flagBool, flagNumber, flagString, parseArgs, renderHelp, requireString, type FlagSpec } from "./args.ts";
import { EXIT_OK, type Command } from "./command.ts";

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
};

export function parseMetric(raw: string): Metric {
  if (!(METRICS as readonly string[]).includes(raw)) throw new UsageError(`--metric must be one of ${METRICS.join("|")}, got '${raw}'`);
  return raw as Metric;
}

export function parseVectorType(raw: string | undefined): VectorType | undefined {
  if (raw === undefined) return undefined;
  if (!(VECTOR_TYPES as readonly string[]).includes(raw)) throw new UsageError(`--type must be one of ${VECTOR_TYPES.join("|")}, got '${raw}'`);
  return raw as VectorType;
}

export const command: Command = {
  name: "gt",
  summary: "compute exact ground truth (all cores, chunked)",
  help: renderHelp(
    "ringann gt --base B --queries Q --out GT [--k 100] [--metric l2|ip|cosine]",
    "Exact k nearest neighbours of every query by blocked brute force on all cores. The base is streamed in\n" +
      "chunks, so memory stays bounded; ties go to the lower id; uint8/int8 data is compared exactly.\n" +
      "Output: int32 nq | int32 K | uint32 ids[nq*K] | float32 dists[nq*K], nearest first.",
    FLAGS,
    ["ringann gt --base data/fmnist/base.u8bin --queries data/fmnist/queries.u8bin --out data/fmnist/gt100.bin --k 100"],
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
      if (qFile.type === "int32") throw new UsageError(`${qFile.file} holds int32 vectors (.ivecs); queries must be float32, uint8 or int8`);
      const queries = { npts: nq, dim: qFile.dim, type: qFile.type, data: qData as Vectors };
      const run = await runGroundTruth(base, queries, { k, metric, threads, chunkBytes: Math.round(chunkMb * 2 ** 20), quiet: flagBool(args, "quiet") });
      writeTruth(out, run.truth);
      console.log(`wrote ${out}: ${nq} queries × k ${k} (${metric}) against ${base.npts} × ${base.dim} ${base.type}; ` +
        `${run.seconds.toFixed(1)} s, ${(run.distancesPerSecond / 1e6).toFixed(2)} M distances/s`);
    } finally {
      base.close();
    }
    return EXIT_OK;
  },
};
