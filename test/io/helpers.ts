import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A temp dir on the real disk (not tmpfs when avoidable), removed by cleanup(). */
export function tempDir(prefix = "ringann-test-"): { dir: string; cleanup: () => void } {
  const base = process.env.RINGANN_TEST_DIR ?? (tmpdir() === "/tmp" ? "/var/tmp" : tmpdir());
  const dir = mkdtempSync(join(base, prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a file of `sectors` 4 KiB sectors with content that differs in every byte position and sector. */
export function writePatternFile(path: string, sectors: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(sectors * 4096);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 255;
  }
  writeFileSync(path, bytes);
  return bytes;
}

/** Seeded PRNG (xorshift32) in [0, 1). */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

export function openFdCount(): number {
  return require("node:fs").readdirSync("/proc/self/fd").length;
}
