// Labels for datasets (issue 12), as DiskANN's label text (one line per point, comma-separated):
//   Fashion-MNIST: each image's class (10 classes, about 10% each) from the package's label files;
//     every query's filter is its own class ("nearest items of the same category").
//   Zipf (synthetic, multi-label): label "z<i>" (i = 1..count) is carried by each point independently
//     with probability 0.5 / i, so selectivities run 50%, 10% (z5), 1% (z50), 0.1% (z500), ...;
//     query filters cycle through the labels at the chosen target selectivities.
import { join } from "node:path";
import { readIdx } from "../format/idx.ts";
import { DatasetRng } from "./rng.ts";

export const FASHION_CLASSES = [
  "tshirt",
  "trouser",
  "pullover",
  "dress",
  "coat",
  "sandal",
  "shirt",
  "sneaker",
  "bag",
  "boot",
];

/** The class of every train (base) and test (query) image, as label names. */
export function fashionMnistLabels(sourceDir: string): { base: string[]; queries: string[] } {
  const read = (name: string): string[] => {
    const { data } = readIdx(join(sourceDir, name));
    return Array.from(data, (c) => FASHION_CLASSES[c] ?? String(c));
  };
  return { base: read("train-labels-idx1-ubyte.gz"), queries: read("t10k-labels-idx1-ubyte.gz") };
}

export interface ZipfLabels {
  /** Label text, one line per point. */
  readonly text: string;
  /** Selectivity label i is drawn with (index i-1). */
  readonly probabilities: readonly number[];
}

/** Zipf labels: label z<i> with probability top / i for i = 1..count (geometric skips: O(labels drawn)). */
export function zipfLabels(npts: number, seed: number, count = 1000, top = 0.5): ZipfLabels {
  const rows: number[][] = Array.from({ length: npts }, () => []);
  const rng = new DatasetRng(seed, 7);
  const probabilities: number[] = [];
  for (let i = 1; i <= count; i++) {
    const p = Math.min(1, top / i);
    probabilities.push(p);
    // Skip ahead by a geometric number of points between consecutive carriers of label i.
    let pos = -1;
    for (;;) {
      const u = 1 - rng.nextFloat();
      pos += p >= 1 ? 1 : 1 + Math.floor(Math.log(u) / Math.log(1 - p));
      if (pos >= npts) break;
      rows[pos]!.push(i);
    }
  }
  return { text: rows.map((r) => r.map((i) => `z${i}`).join(",")).join("\n") + "\n", probabilities };
}

/** Query filter lines cycling through labels z<rank> for the given ranks (e.g. 1, 5, 50, 500). */
export function zipfQueryFilters(nq: number, ranks: readonly number[]): string {
  const lines: string[] = [];
  for (let q = 0; q < nq; q++) lines.push(`z${ranks[q % ranks.length]}`);
  return lines.join("\n") + "\n";
}

/** The ranks whose probabilities (top / i) are 50%, 10%, 1% and 0.1% with top = 0.5. */
export const ZIPF_TARGET_RANKS = [1, 5, 50, 500];
