// `ringann convert IN OUT`: vector files between DiskANN .bin, texmex and MNIST idx, by extension
// (or explicit types); `--truth` converts ground truth between texmex .ivecs and DiskANN truth files.
import { UsageError } from "../errors.ts";
import { convertTruthFile, convertVectorFile } from "../format/convert.ts";
import { flagBool, flagNumber, flagString, parseArgs, renderHelp, type FlagSpec } from "./args.ts";
import { parseVectorType } from "./cmd-gt.ts";
import { EXIT_OK, type Command } from "./command.ts";
import { Progress } from "../progress/progress.ts";

const FLAGS: Record<string, FlagSpec> = {
  type: { type: "string", help: "element type of a plain .bin input holding 1-byte values: uint8|int8" },
  "out-type": { type: "string", help: "element type of a plain .bin (or idx) output: float32|uint8|int8" },
  limit: { type: "string", help: "convert only the first N vectors" },
  truth: { type: "boolean", help: "IN/OUT are ground truth: texmex .ivecs ↔ DiskANN truth .bin (ids)" },
  quiet: { type: "boolean", help: "no progress bar" },
};

export const command: Command = {
  name: "convert",
  summary: "convert between .fbin/.u8bin/.i8bin, .fvecs/.ivecs/.bvecs and MNIST idx",
  help: renderHelp(
    "ringann convert IN OUT [--type T] [--out-type T] [--limit N] [--truth]",
    "Formats follow the extensions: .fbin .u8bin .i8bin .bin (DiskANN), .fvecs .ivecs .bvecs (texmex),\n" +
      ".gz / -ubyte (MNIST idx). Rows are streamed; element types change only when no value is lost\n" +
      "(e.g. .fvecs → .u8bin needs integer values in 0..255). The output appears only when complete.",
    FLAGS,
    [
      "ringann convert sift_base.fvecs sift_base.fbin",
      "ringann convert /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz queries.u8bin",
      "ringann convert sift_groundtruth.ivecs sift_gt100.bin --truth",
    ],
  ),
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    const [inPath, outPath, ...rest] = args.positionals;
    if (inPath === undefined || outPath === undefined) throw new UsageError("expected IN and OUT file names");
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    if (flagBool(args, "truth")) {
      const { nq, k } = convertTruthFile(inPath, outPath);
      console.log(`wrote ${outPath}: ground truth for ${nq} queries × K ${k}`);
      return EXIT_OK;
    }
    let progress: Progress | null = null;
    const result = convertVectorFile(inPath, outPath, {
      inType: parseVectorType(flagString(args, "type")),
      outType: parseVectorType(flagString(args, "out-type")),
      limit: flagNumber(args, "limit", { integer: true, min: 0 }),
      onRows: (done, total) => {
        progress ??= new Progress("convert (vectors)", total, { quiet: flagBool(args, "quiet") });
        progress.update(done);
      },
    });
    (progress as Progress | null)?.finish();
    console.log(`wrote ${outPath}: ${result.rows} × ${result.dim} ${result.outType} (from ${result.inType})`);
    return EXIT_OK;
  },
};
