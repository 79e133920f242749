// `ringann labels`: attach labels and/or numeric attributes to an existing index (issue 12): writes
// DiskANN's label files beside <prefix>_disk.index (labels, map, a start point per label, universal
// label) and the attribute file. The graph is not changed (see `build --labels` for a new index).
import { attachLabels } from "../build/attach-labels.ts";
import { UsageError } from "../errors.ts";
import { parseVectorType } from "./cmd-gt.ts";
import { flagString, parseArgs, renderHelp, requireString, type FlagSpec } from "./args.ts";
import { EXIT_OK, type Command } from "./command.ts";

const FLAGS: Record<string, FlagSpec> = {
  index: { type: "string", help: "index prefix (<prefix>_disk.index ...)" },
  data: { type: "string", help: "the vectors the index was built from (for each label's start point)" },
  labels: { type: "string", help: "per-point labels: one line per point, comma-separated" },
  "universal-label": { type: "string", help: "the label that matches every label filter" },
  attributes: { type: "string", help: "per-point numeric attributes, JSON lines" },
  type: { type: "string", help: "element type of a plain .bin: float32|uint8|int8" },
};

export const command: Command = {
  name: "labels",
  summary: "attach labels / numeric attributes to an index (for filtered search)",
  help: renderHelp(
    "ringann labels --index P --data B [--labels F] [--universal-label U] [--attributes F]",
    "Writes DiskANN's filtered-index files beside P_disk.index — _labels.txt (label numbers), _labels_map.txt,\n" +
      "_labels_to_medoids.txt (a start point per label: its point nearest the label's mean), _universal_label.txt —\n" +
      "and P_disk.index_attributes.jsonl. `ringann search --filter` then works on the index.",
    FLAGS,
    ["ringann labels --index idx/fmnist --data data/fmnist/base.u8bin --labels data/fmnist/base_labels.txt"],
  ),
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const labels = flagString(args, "labels");
    const attributes = flagString(args, "attributes");
    if (labels === undefined && attributes === undefined) throw new UsageError("give --labels and/or --attributes");
    const prefix = requireString(args, "index");
    const r = attachLabels(prefix, {
      labels,
      attributes,
      universalLabel: flagString(args, "universal-label"),
      data: requireString(args, "data"),
      type: parseVectorType(flagString(args, "type")),
    });
    console.log(
      `${prefix}: ${r.labels} labels, attributes ${r.attributes.join(", ") || "none"} (${r.seconds.toFixed(1)} s)`,
    );
    return EXIT_OK;
  },
};
