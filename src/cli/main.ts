#!/usr/bin/env bun
// ringann's single entry point: `ringann <command> [flags]`. Commands load lazily so `doctor`
// does not pay for the build or search code.
import { UsageError, asRingannError } from "../errors.ts";
import { exitCodeFor } from "../exit-codes.ts";
import { restartWithServingAllocator } from "../runtime/allocator-env.ts";
import { EXIT_USAGE, type Command } from "./command.ts";

type Loader = () => Promise<Command>;

const COMMANDS: Record<string, { summary: string; load: Loader }> = {
  run: {
    summary: "run a JSON config of jobs (no argument: the built-in demo)",
    load: async () => (await import("./cmd-run.ts")).command,
  },
  build: {
    summary: "build a disk index (PQ + Vamana graph + DiskANN layout)",
    load: async () => (await import("./cmd-build.ts")).command,
  },
  search: {
    summary: "search a disk index with beam and/or pipelined search; recall, QPS, latency",
    load: async () => (await import("./cmd-search.ts")).command,
  },
  serve: {
    summary: "serve indexes over HTTP/JSON (search, metrics, a search page at /)",
    load: async () => (await import("./cmd-serve.ts")).command,
  },
  relayout: {
    summary: "rewrite an index with a page-aware layout (neighbours share sectors)",
    load: async () => (await import("./cmd-relayout.ts")).command,
  },
  labels: {
    summary: "attach labels / numeric attributes to an index (for filtered search)",
    load: async () => (await import("./cmd-labels.ts")).command,
  },
  info: {
    summary: "print what an index holds (header, R, PQ, sizes, medoid)",
    load: async () => (await import("./cmd-info.ts")).command,
  },
  dataset: {
    summary: "write a dataset (fashion-mnist, glove-100, synthetic) with exact ground truth",
    load: async () => (await import("./cmd-dataset.ts")).command,
  },
  gt: {
    summary: "compute exact ground truth (all cores, chunked)",
    load: async () => (await import("./cmd-gt.ts")).command,
  },
  convert: {
    summary: "convert between .fbin/.u8bin/.i8bin, .fvecs/.ivecs/.bvecs and MNIST idx",
    load: async () => (await import("./cmd-convert.ts")).command,
  },
  bench: {
    summary: "benchmarks: `bench io --file F` (uring vs pread vs fio), `bench serve --url U --rate R` (HTTP load)",
    load: async () => (await import("./cmd-bench.ts")).command,
  },
  doctor: {
    summary: "check kernel, io_uring, O_DIRECT and the chosen I/O backend",
    load: async () => (await import("./cmd-doctor.ts")).command,
  },
};

function topHelp(): string {
  const lines = [
    "ringann — disk-resident vector search (DiskANN / PipeANN) over io_uring",
    "",
    "Usage: ringann <command> [flags]      ringann <command> --help",
    "",
    "Commands:",
  ];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(9)} ${c.summary}`);
  lines.push(
    "",
    "A typical session:",
    "  ringann dataset fashion-mnist data/fmnist",
    "  ringann build --data data/fmnist/base.u8bin --out idx/fmnist --metric l2 --R 64 --L 100",
    "  ringann search --index idx/fmnist --queries data/fmnist/queries.u8bin --gt data/fmnist/gt100.bin --L 10,20,50,100",
    "  ringann run configs/fashion-mnist.json",
    "  ringann serve --index idx/fmnist --dataset data/fmnist     # HTTP search + a search page on 127.0.0.1:8080",
    "",
    "Environment: RINGANN_IO=uring|pread forces the I/O backend.",
  );
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    if (name === undefined) {
      // No command: the built-in demo is the main job, but say how to learn more first.
      process.stderr.write("ringann: no command given, running the built-in demo (`ringann --help` lists commands)\n");
      return main(["run"]);
    }
    console.log(topHelp());
    return 0;
  }
  if (name === "--version" || name === "-v") {
    console.log("ringann 0.1.0");
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`ringann: unknown command '${name}'\n\n${topHelp()}\n`);
    return EXIT_USAGE;
  }
  try {
    const command = await entry.load();
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(command.helpFor?.(rest) ?? command.help);
      return 0;
    }
    return await command.run(rest);
  } catch (thrown) {
    // One error model: every error is a RingannError with a code, and the code alone decides the
    // exit code (src/exit-codes.ts), whichever command threw it.
    const err = asRingannError(thrown);
    const hint = err instanceof UsageError ? `\n(see \`ringann ${name} --help\`)` : "";
    process.stderr.write(`ringann ${name}: ${err.message}${hint}\n`);
    if (err.code === "E_INTERNAL" && thrown instanceof Error && thrown.stack) process.stderr.write(`${thrown.stack}\n`);
    return exitCodeFor(err);
  }
}

/** Commands that run as long-lived HTTP processes, started again with the serving allocator. */
function servesHttp(argv: readonly string[]): boolean {
  if (argv.includes("--help") || argv.includes("-h")) return false;
  return argv[0] === "serve" || (argv[0] === "bench" && argv[1] === "serve");
}

if (import.meta.main) {
  // Only as the program itself (never when a test imports main): execve replaces the process.
  if (servesHttp(process.argv.slice(2))) restartWithServingAllocator();
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
