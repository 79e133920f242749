// A small flag parser: --name value, --name=value, boolean --flag, positionals. Unknown flags are
// errors that name the flag and list the known ones, so a typo never runs a long job with defaults.
import { UsageError } from "../errors.ts";

export interface FlagSpec {
  /** "string" takes a value, "boolean" does not. */
  readonly type: "string" | "boolean";
  readonly help: string;
  readonly default?: string;
}

export interface ParsedArgs {
  readonly flags: Map<string, string | true>;
  readonly positionals: string[];
}

export function parseArgs(argv: readonly string[], specs: Record<string, FlagSpec>): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--") || arg === "--") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs[name];
    if (!spec) {
      throw new UsageError(
        `Unknown flag --${name}. Known flags: ${Object.keys(specs)
          .map((k) => "--" + k)
          .join(", ")}`,
      );
    }
    if (spec.type === "boolean") {
      if (eq >= 0) throw new UsageError(`Flag --${name} takes no value`);
      flags.set(name, true);
    } else if (eq >= 0) {
      flags.set(name, arg.slice(eq + 1));
    } else {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`Flag --${name} needs a value (${spec.help})`);
      flags.set(name, value);
      i++;
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.default !== undefined && !flags.has(name)) flags.set(name, spec.default);
  }
  return { flags, positionals };
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === "string" ? v : undefined;
}

export function requireString(args: ParsedArgs, name: string): string {
  const v = flagString(args, name);
  if (v === undefined) throw new UsageError(`Missing required flag --${name}`);
  return v;
}

export function flagBool(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}

export function flagNumber(
  args: ParsedArgs,
  name: string,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number | undefined {
  const raw = flagString(args, name);
  if (raw === undefined) return undefined;
  return parseNumber(raw, `--${name}`, opts);
}

export function flagNumberList(
  args: ParsedArgs,
  name: string,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number[] | undefined {
  const raw = flagString(args, name);
  if (raw === undefined) return undefined;
  return raw.split(",").map((part) => parseNumber(part.trim(), `--${name}`, opts));
}

function parseNumber(raw: string, what: string, opts: { integer?: boolean; min?: number; max?: number }): number {
  const n = Number(raw);
  if (raw === "" || !Number.isFinite(n)) throw new UsageError(`${what} expects a number, got '${raw}'`);
  if (opts.integer && !Number.isInteger(n)) throw new UsageError(`${what} expects an integer, got '${raw}'`);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`${what} must be ≥ ${opts.min}, got ${raw}`);
  if (opts.max !== undefined && n > opts.max) throw new UsageError(`${what} must be ≤ ${opts.max}, got ${raw}`);
  return n;
}

/** Renders a command's --help: usage line, description, flags with defaults. */
export function renderHelp(
  usage: string,
  description: string,
  specs: Record<string, FlagSpec>,
  examples: readonly string[] = [],
): string {
  const lines = [`Usage: ${usage}`, "", description, ""];
  const names = Object.keys(specs);
  if (names.length > 0) {
    lines.push("Flags:");
    const width = Math.max(...names.map((n) => n.length + (specs[n]!.type === "string" ? 6 : 0))) + 4;
    for (const name of names) {
      const spec = specs[name]!;
      const left = `  --${name}${spec.type === "string" ? " <v>" : ""}`;
      const def = spec.default !== undefined ? ` (default ${spec.default})` : "";
      lines.push(`${left.padEnd(width + 2)}${spec.help}${def}`);
    }
  }
  if (examples.length > 0) {
    lines.push("", "Examples:");
    for (const ex of examples) lines.push(`  ${ex}`);
  }
  return lines.join("\n");
}
