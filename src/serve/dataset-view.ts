// What the search page shows besides ids: the dataset an index was built from, found through its
// manifest.json (`--dataset DIR` or `dataset` in the config). Random queries from its query file,
// base rows of the answers (Fashion-MNIST: drawn as 28×28 images) and words (GloVe: base-words.txt /
// query-words.txt, so a user can type a word). Rows are read on demand with positional reads.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { BinReader } from "../format/bin.ts";
import { readManifest } from "../data/manifest.ts";

export type DatasetKind = "image28" | "words" | "vectors";

export class DatasetView {
  readonly name: string;
  readonly kind: DatasetKind;
  readonly dim: number;
  readonly queryCount: number;
  private readonly base: BinReader;
  private readonly queries: BinReader;
  private readonly baseWords: string[] | null;
  private readonly queryWords: string[] | null;
  private readonly wordIndex: Map<string, { base: boolean; row: number }> | null;

  private constructor(
    name: string,
    base: BinReader,
    queries: BinReader,
    baseWords: string[] | null,
    queryWords: string[] | null,
  ) {
    this.name = name;
    this.base = base;
    this.queries = queries;
    this.dim = base.header.dim;
    this.queryCount = queries.header.npts;
    this.baseWords = baseWords;
    this.queryWords = queryWords;
    this.kind = baseWords !== null ? "words" : this.dim === 784 && base.header.type === "uint8" ? "image28" : "vectors";
    if (baseWords !== null) {
      this.wordIndex = new Map();
      queryWords?.forEach((w, row) => this.wordIndex!.set(w, { base: false, row }));
      baseWords.forEach((w, row) => this.wordIndex!.set(w, { base: true, row }));
    } else {
      this.wordIndex = null;
    }
  }

  /** Opens DIR/manifest.json and its vector files; checks the dimension against the index's. */
  static open(dir: string, indexDim: number, what: string): DatasetView {
    const paths = readManifest(dir);
    if (paths.manifest.dim !== indexDim) {
      throw new ConfigError(what, [
        `the dataset in ${dir} has ${paths.manifest.dim} dimensions, the index ${indexDim}`,
      ]);
    }
    const words = (role: string): string[] | null => {
      const name = paths.manifest.extra?.[role];
      if (name === undefined || !existsSync(join(dir, name))) return null;
      return readFileSync(join(dir, name), "utf8")
        .split("\n")
        .filter((w) => w !== "");
    };
    const base = BinReader.open(paths.base, paths.manifest.type);
    const queries = BinReader.open(paths.queries, paths.manifest.type);
    return new DatasetView(paths.manifest.name, base, queries, words("baseWords"), words("queryWords"));
  }

  query(row: number): { id: number; vector: number[]; word: string | null } {
    return { id: row, vector: Array.from(this.queries.readRows(row, 1)), word: this.queryWords?.[row] ?? null };
  }

  randomQuery(): { id: number; vector: number[]; word: string | null } {
    return this.query(Math.floor(Math.random() * this.queryCount));
  }

  /** Base rows of `ids` (for images). */
  baseVectors(ids: ArrayLike<number>): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < ids.length; i++) out.push(Array.from(this.base.readRows(ids[i]!, 1)));
    return out;
  }

  baseWordsOf(ids: ArrayLike<number>): (string | null)[] {
    const out: (string | null)[] = [];
    for (let i = 0; i < ids.length; i++) out.push(this.baseWords?.[ids[i]!] ?? null);
    return out;
  }

  /** A word's vector (from the base or the held-out queries), or null when unknown. */
  wordVector(word: string): { word: string; vector: number[]; inBase: boolean } | null {
    const at = this.wordIndex?.get(word);
    if (at === undefined) return null;
    const rows = at.base ? this.base.readRows(at.row, 1) : this.queries.readRows(at.row, 1);
    return { word, vector: Array.from(rows), inBase: at.base };
  }

  /** Up to `limit` known words starting with `prefix` (the page's suggestions). */
  wordsStartingWith(prefix: string, limit: number): string[] {
    const out: string[] = [];
    if (this.wordIndex === null || prefix === "") return out;
    for (const w of this.wordIndex.keys()) {
      if (w.startsWith(prefix)) out.push(w);
      if (out.length >= limit) break;
    }
    return out;
  }

  close(): void {
    this.base.close();
    this.queries.close();
  }
}
