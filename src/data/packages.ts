// Datasets come from system/npm packages; when one is missing, say exactly how to install it.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { RingannError } from "../errors.ts";

/** Exit code 3 (environment) in the CLI. */
export class MissingPackageError extends RingannError {
  readonly packageName: string;
  readonly install: string;
  constructor(what: string, packageName: string, install: string, looked: readonly string[]) {
    super(
      "E_MISSING_PACKAGE",
      `Cannot find ${what}: package '${packageName}' is not installed (looked in ${looked.join(", ")}). Install it with: ${install}`,
    );
    this.packageName = packageName;
    this.install = install;
  }
}

/**
 * Finds `node_modules/<pkg>/<file>` walking up from the working directory, from the executable's
 * directory (a compiled ringann next to its node_modules) and from this source file, in that order.
 * Returns the path found, or null with the places looked at in `looked`.
 */
export function findNodeModuleFile(pkg: string, file: string, looked: string[] = []): string | null {
  const starts = [process.cwd(), dirname(process.execPath), import.meta.dir];
  const seen = new Set<string>();
  for (const start of starts) {
    if (!start || start.startsWith("/$bunfs")) continue;
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, "node_modules", pkg, file);
      if (!seen.has(candidate)) {
        seen.add(candidate);
        looked.push(join(dir, "node_modules"));
        if (existsSync(candidate)) return candidate;
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return null;
}
