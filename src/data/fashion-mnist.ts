// Fashion-MNIST (ann-benchmarks' fashion-mnist-784-euclidean split) from the Debian package
// dataset-fashion-mnist: 60,000 training images are the base, the 10,000 test images the queries;
// 784 uint8 dimensions, L2. Exact distance ties are common (integer pixels).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readIdx } from "../format/idx.ts";
import type { InMemoryVectors } from "./ground-truth.ts";
import { MissingPackageError } from "./packages.ts";

export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
const BASE_FILE = "train-images-idx3-ubyte.gz";
const QUERY_FILE = "t10k-images-idx3-ubyte.gz";

export function fashionMnistFiles(sourceDir = FASHION_MNIST_DIR): { base: string; queries: string } {
  const base = join(sourceDir, BASE_FILE);
  const queries = join(sourceDir, QUERY_FILE);
  for (const f of [base, queries]) {
    if (!existsSync(f)) {
      throw new MissingPackageError(
        `Fashion-MNIST (${f})`,
        "dataset-fashion-mnist",
        "sudo apt-get install -y dataset-fashion-mnist",
        [sourceDir],
      );
    }
  }
  return { base, queries };
}

export function loadFashionMnist(sourceDir = FASHION_MNIST_DIR): {
  base: InMemoryVectors;
  queries: InMemoryVectors;
  source: string;
} {
  const files = fashionMnistFiles(sourceDir);
  const load = (file: string): InMemoryVectors => {
    const { header, data } = readIdx(file);
    return { npts: header.npts, dim: header.dim, type: header.type, data };
  };
  return {
    base: load(files.base),
    queries: load(files.queries),
    source: `apt package dataset-fashion-mnist (${sourceDir})`,
  };
}
