// `ringann bench io`: our io_uring reader vs our pread reader vs fio, side by side, one run.
import { resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { ensureBenchFile, measureFio, measureOurs, type IoBenchRow } from "../io/io-benchmark.ts";
import { flagBool, flagNumber, flagNumberList, flagString, parseArgs, renderHelp, type FlagSpec } from "./args.ts";
import type { Command } from "./command.ts";
import { Progress } from "../progress/progress.ts";
import { BENCH_SERVE_HELP } from "./cmd-bench-serve.ts";

const FLAGS: Record<string, FlagSpec> = {
  file: { type: "string", help: "file to read (created with random bytes when missing)" },
  "size-gb": {
    type: "string",
    help: "size to create when --file is missing (at least 1 GiB keeps reads off any cache)",
    default: "1",
  },
  depths: { type: "string", help: "queue depths, comma-separated", default: "1,4,8,32" },
  seconds: { type: "string", help: "seconds per engine, depth and round", default: "2" },
  rounds: {
    type: "string",
    help: "rounds, engines interleaved in each; the median round is reported (shared machines drift)",
    default: "3",
  },
  engines: { type: "string", help: "engines to run: uring,pread,fio", default: "uring,pread,fio" },
  submit: {
    type: "string",
    help: "eager (flush each replacement read at once, as fio does) or batch (ride on the next wait)",
    default: "eager",
  },
  json: { type: "boolean", help: 'print {"rows":[{"engine","depth","iops","mean_us"}]} instead of the table' },
};

const IO_HELP = renderHelp(
  "ringann bench io --file F [--depths 1,4,8,32] [--seconds 2] [--rounds 3] [--json]",
  "Random 4 KiB O_DIRECT reads over F at each queue depth: IOPS and mean latency of ringann's io_uring\n" +
    "reader, its pread fallback and fio's io_uring engine, interleaved round by round in one run (median\n" +
    "round reported) and printed side by side with ratios. Targets: uring ≥ 0.9× fio at every depth, ≥ 3× pread at depth 32.",
  FLAGS,
  ["ringann bench io --file data/io.bin", "ringann bench io --file big.bin --depths 32 --seconds 10 --json"],
);

export const command: Command = {
  name: "bench",
  summary: "benchmarks: `ringann bench io --file F` (uring vs pread vs fio), `ringann bench serve --url U --rate R`",
  help: `${IO_HELP}\n\n${BENCH_SERVE_HELP}`,
  helpFor(argv) {
    if (argv[0] === "serve") return BENCH_SERVE_HELP;
    return argv[0] === "io" ? IO_HELP : this.help;
  },
  async run(argv) {
    if (argv[0] === "serve") return (await import("./cmd-bench-serve.ts")).runBenchServe(argv.slice(1));
    const args = parseArgs(argv, FLAGS);
    const [what] = args.positionals;
    if (what !== "io") throw new UsageError(`expected \`ringann bench io\`, got \`ringann bench ${what ?? ""}\``);
    const fileFlag = flagString(args, "file");
    if (fileFlag === undefined)
      throw new UsageError("Missing required flag --file (the file to read; created when missing)");
    const file = resolve(fileFlag);
    const sizeGb = flagNumber(args, "size-gb", { min: 0.001 })!;
    const depths = flagNumberList(args, "depths", { integer: true, min: 1, max: 4096 })!;
    const seconds = flagNumber(args, "seconds", { min: 0.1 })!;
    const rounds = flagNumber(args, "rounds", { integer: true, min: 1, max: 50 })!;
    const engines = (flagString(args, "engines") ?? "").split(",").map((e) => e.trim());
    for (const e of engines)
      if (e !== "uring" && e !== "pread" && e !== "fio")
        throw new UsageError(`--engines: unknown engine '${e}' (expected uring, pread, fio)`);
    const json = flagBool(args, "json");
    const submit = flagString(args, "submit");
    if (submit !== "eager" && submit !== "batch")
      throw new UsageError(`--submit expects eager or batch, got '${submit}'`);

    const bytes = Math.floor(sizeGb * 2 ** 30);
    const create = new Progress(`creating ${file}`, bytes, { quiet: json });
    ensureBenchFile(file, bytes, (done) => create.update(done));

    const rows: IoBenchRow[] = [];
    const notes: string[] = [];
    const progress = new Progress("bench io", depths.length * engines.length * rounds, { quiet: json });
    for (const depth of depths) {
      const samples = new Map<string, IoBenchRow[]>();
      for (let round = 0; round < rounds; round++) {
        for (const engine of engines) {
          const r =
            engine === "fio"
              ? measureFio(file, depth, seconds)
              : measureOurs(engine as "uring" | "pread", file, depth, seconds, submit);
          if (typeof r === "string") notes.push(r);
          else samples.set(engine, [...(samples.get(engine) ?? []), r]);
          progress.add(1);
        }
      }
      for (const engine of engines) {
        const list = samples.get(engine);
        if (list) rows.push(medianRow(list));
      }
    }
    progress.finish();
    if (json) {
      console.log(JSON.stringify({ rows }));
      return 0;
    }
    console.log(formatIoTable(rows, depths));
    for (const n of [...new Set(notes)]) console.log(`note: ${n}`);
    return 0;
  },
};

/** The round with the median IOPS (its latency comes along, so the pair stays consistent). */
function medianRow(rows: IoBenchRow[]): IoBenchRow {
  const sorted = [...rows].sort((a, b) => a.iops - b.iops);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function formatIoTable(rows: IoBenchRow[], depths: number[]): string {
  const find = (engine: string, depth: number) => rows.find((r) => r.engine === engine && r.depth === depth);
  const lines = [
    "depth | uring IOPS  mean µs | pread IOPS  mean µs | fio IOPS   mean µs | uring/fio  uring/pread",
    "------+---------------------+---------------------+--------------------+----------------------",
  ];
  const cell = (r: IoBenchRow | undefined) =>
    r ? `${Math.round(r.iops).toString().padStart(10)} ${r.mean_us.toFixed(1).padStart(8)}` : "         -        -";
  const ratio = (a: IoBenchRow | undefined, b: IoBenchRow | undefined) => (a && b ? (a.iops / b.iops).toFixed(2) : "-");
  for (const d of depths) {
    const u = find("uring", d),
      p = find("pread", d),
      f = find("fio", d);
    lines.push(
      `${String(d).padStart(5)} | ${cell(u)} | ${cell(p)} | ${cell(f)} | ${ratio(u, f).padStart(9)}  ${ratio(u, p).padStart(11)}`,
    );
  }
  return lines.join("\n");
}
