// What the parser fuzzer feeds: every reader in src/format plus the two config front doors, each with
// a valid seed made from the repository's fixtures and the header fields worth setting to edge values.
// parse(bytes) must return or throw a FormatError / ConfigError naming `file` (see fuzz.test.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readBin } from "../../src/format/bin.ts";
import { parseDiskIndexHeader } from "../../src/format/disk-index.ts";
import { readIdx } from "../../src/format/idx.ts";
import { parseSidecar } from "../../src/format/index-sidecar.ts";
import { parseMemIndexGraph, parseMemIndexTags } from "../../src/format/mem-index.ts";
import { parsePqCompressed, parsePqPivots } from "../../src/format/pq-files.ts";
import { readTexmex } from "../../src/format/texmex.ts";
import { readTruth } from "../../src/format/truth.ts";
import { openVectorFile } from "../../src/format/vector-file.ts";
import { loadConfigFile } from "../../src/run/config/config.ts";
import { PIPEANN } from "../fixtures.ts";
import type { ByteSeed } from "./mutate.ts";

export interface FuzzTarget {
  name: string;
  /** The file name the parser is given (and that its errors must name). */
  fileName: string;
  /** Bytes (binary formats) or text (JSON) of a valid file. */
  seed: ByteSeed | { text: string };
  /** Parses `bytes`, written to `path` when the reader takes a path. */
  parse(bytes: Uint8Array, path: string): void;
}

function u32le(values: number[]): Uint8Array {
  return new Uint8Array(new Uint32Array(values).buffer);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The first `rows` rows of a .bin file, re-headered. */
function binHead(file: string, rows: number, elementBytes: number): Uint8Array {
  const all = new Uint8Array(readFileSync(file));
  const dim = new DataView(all.buffer).getInt32(4, true);
  return concat(u32le([rows, dim]), all.subarray(8, 8 + rows * dim * elementBytes));
}

/** A texmex file (per row: int32 dim, then the row) from .bin rows. */
function texmexOf(bin: Uint8Array, elementBytes: number): Uint8Array {
  const v = new DataView(bin.buffer, bin.byteOffset);
  const npts = v.getInt32(0, true);
  const dim = v.getInt32(4, true);
  const rows: Uint8Array[] = [];
  for (let i = 0; i < npts; i++) rows.push(u32le([dim]), bin.subarray(8 + i * dim * elementBytes, 8 + (i + 1) * dim * elementBytes));
  return concat(...rows);
}

export function fuzzTargets(dir: string): FuzzTarget[] {
  const fbin = binHead(PIPEANN.base, 6, 4); // 6 × 128 float32
  const dim = 128;
  const u8 = concat(u32le([5, 16]), new Uint8Array(80).map((_, i) => (i * 37) & 255));
  const gt = binHead(PIPEANN.gt, 3, 4); // header nq | k, then ids only (3 × 100): re-add the dists block
  const gtFull = new Uint8Array(readFileSync(PIPEANN.gt));
  const gtK = new DataView(gtFull.buffer).getInt32(4, true);
  const gtNq = new DataView(gtFull.buffer).getInt32(0, true);
  const truth = concat(gt, gtFull.subarray(8 + gtNq * gtK * 4, 8 + gtNq * gtK * 4 + 3 * gtK * 4));
  const idxImages = concat(new Uint8Array([0, 0, 8, 3]), new Uint8Array(new DataView(new ArrayBuffer(12)).buffer), new Uint8Array(4 * 28 * 28));
  const idxView = new DataView(idxImages.buffer);
  [4, 28, 28].forEach((d, i) => idxView.setUint32(4 + 4 * i, d, false));
  const disk = new Uint8Array(readFileSync(`${PIPEANN.prefix}_disk.index`));
  const diskBytes = disk.length;
  const sector0 = disk.slice(0, 4096);
  const pivots = new Uint8Array(readFileSync(`${PIPEANN.prefix}_pq_pivots.bin`));
  const codes = binHead(`${PIPEANN.prefix}_pq_compressed.bin`, 40, 1); // 40 × 32 codes
  const memGraph = new Uint8Array(readFileSync(`${PIPEANN.prefix}_mem.index`));
  const memTags = new Uint8Array(readFileSync(`${PIPEANN.prefix}_mem.index.tags`));
  const memData = new Uint8Array(readFileSync(`${PIPEANN.prefix}_mem.index.data`));
  const memNpts = new DataView(memData.buffer).getInt32(0, true);
  const sidecar = JSON.stringify({
    format: "ringann-index", version: 1, metric: "l2", type: "float32", npts: 10000, dim: 128, R: 32, L: 50, alpha: 1.2,
    pqBytes: 32, medoid: 4604, normalized: false, saturate: false, seed: 1, threads: 2, buildSeconds: 1.5, peakRssMb: 100,
    kernel: "avx2", entryGraph: { npts: 82, R: 32, L: 64 }, createdAt: "2026-11-30T00:00:00Z",
  });
  const u64Fields = (names: string[], at = 0) => names.map((name, i) => ({ name, at: at + 8 * i, bytes: 8 as const }));
  const write = (path: string, bytes: Uint8Array): void => writeFileSync(path, bytes);
  return [
    { name: "bin float32 vectors (.fbin)", fileName: "v.fbin", seed: { bytes: fbin, headerBytes: 8, fields: [{ name: "npts", at: 0, bytes: 4 }, { name: "dim", at: 4, bytes: 4 }], floats: [{ at: 8, count: 6 * dim }], finite: true },
      parse: (b, p) => { write(p, b); readBin(p); } },
    { name: "bin uint8 vectors through openVectorFile (.u8bin)", fileName: "v.u8bin", seed: { bytes: u8, headerBytes: 8, fields: [{ name: "npts", at: 0, bytes: 4 }, { name: "dim", at: 4, bytes: 4 }] },
      parse: (b, p) => { write(p, b); const f = openVectorFile(p); try { f.readRows(0, f.npts); } finally { f.close(); } } },
    { name: "truth (ids + dists)", fileName: "gt.bin", seed: { bytes: truth, headerBytes: 8, fields: [{ name: "nq", at: 0, bytes: 4 }, { name: "k", at: 4, bytes: 4 }], floats: [{ at: 8 + 3 * gtK * 4, count: 3 * gtK }] },
      parse: (b, p) => { write(p, b); readTruth(p); } },
    { name: "texmex .fvecs", fileName: "v.fvecs", seed: { bytes: texmexOf(fbin, 4), headerBytes: 4, fields: [{ name: "row 0 dim", at: 0, bytes: 4 }, { name: "row 1 dim", at: 4 + 4 * dim, bytes: 4 }], floats: [{ at: 4, count: dim }], finite: true },
      parse: (b, p) => { write(p, b); readTexmex(p); } },
    { name: "texmex .bvecs", fileName: "v.bvecs", seed: { bytes: texmexOf(u8, 1), headerBytes: 4, fields: [{ name: "row 0 dim", at: 0, bytes: 4 }, { name: "row 2 dim", at: 40, bytes: 4 }] },
      parse: (b, p) => { write(p, b); readTexmex(p); } },
    { name: "MNIST idx (plain)", fileName: "images-idx3-ubyte", seed: { bytes: idxImages, headerBytes: 16, fields: [{ name: "dims[0]", at: 4, bytes: 4 }, { name: "dims[1]", at: 8, bytes: 4 }, { name: "magic", at: 0, bytes: 4 }] },
      parse: (b, p) => { write(p, b); readIdx(p); } },
    { name: "MNIST idx (gzip)", fileName: "images-idx3-ubyte.gz", seed: { bytes: gzipSync(idxImages), headerBytes: 20, fields: [{ name: "gzip ISIZE", at: gzipSync(idxImages).length - 4, bytes: 4 }] },
      parse: (b, p) => { write(p, b); readIdx(p); } },
    { name: "disk-index header (sector 0)", fileName: "x_disk.index", seed: { bytes: sector0, headerBytes: 80, fields: [{ name: "nr", at: 0, bytes: 4 }, { name: "nc", at: 4, bytes: 4 }, ...u64Fields(["npts", "ndims", "medoid", "max_node_len", "nnodes_per_sector", "num_frozen", "frozen_loc", "append_reorder", "file_size"], 8)] },
      parse: (b) => { parseDiskIndexHeader(b, "x_disk.index", diskBytes, "float32"); } },
    { name: "PQ pivots", fileName: "x_pq_pivots.bin", seed: { bytes: pivots, headerBytes: 56, fields: [{ name: "offsets rows", at: 0, bytes: 4 }, { name: "offsets cols", at: 4, bytes: 4 }, ...u64Fields(["offset 0", "offset 1", "offset 2", "offset 3", "offset 4"], 8), { name: "pivots rows", at: 4096, bytes: 4 }, { name: "pivots cols", at: 4100, bytes: 4 }], floats: [{ at: 4104, count: 256 * dim }], finite: true },
      parse: (b) => { parsePqPivots(b, "x_pq_pivots.bin"); } },
    { name: "PQ codes", fileName: "x_pq_compressed.bin", seed: { bytes: codes, headerBytes: 8, fields: [{ name: "npts", at: 0, bytes: 4 }, { name: "M", at: 4, bytes: 4 }] },
      parse: (b) => { parsePqCompressed(b, "x_pq_compressed.bin", { npts: 40, M: 32 }); } },
    { name: "mem index graph", fileName: "x_mem.index", seed: { bytes: memGraph, headerBytes: 28, fields: [{ name: "file_size", at: 0, bytes: 8 }, { name: "max_degree", at: 8, bytes: 4 }, { name: "entry_point", at: 12, bytes: 4 }, { name: "num_frozen", at: 16, bytes: 8 }, { name: "node 0 degree", at: 24, bytes: 4 }] },
      parse: (b) => { parseMemIndexGraph(b, "x_mem.index", memNpts); } },
    { name: "mem index tags", fileName: "x_mem.index.tags", seed: { bytes: memTags, headerBytes: 8, fields: [{ name: "npts", at: 0, bytes: 4 }, { name: "dim", at: 4, bytes: 4 }] },
      parse: (b) => { parseMemIndexTags(b, "x_mem.index.tags", { npts: memNpts, diskNpts: 10000 }); } },
    { name: "mem index data (.bin float32)", fileName: "x_mem.index.data", seed: { bytes: memData, headerBytes: 8, fields: [{ name: "npts", at: 0, bytes: 4 }, { name: "dim", at: 4, bytes: 4 }], floats: [{ at: 8, count: memNpts * dim }], finite: true },
      parse: (b, p) => { write(p, b); readBin(p, "float32"); } },
    { name: "index sidecar (_ringann.json)", fileName: "x_ringann.json", seed: { text: sidecar },
      parse: (b) => { parseSidecar(new TextDecoder().decode(b), "x_ringann.json"); } },
    { name: "run config (configs/fashion-mnist.json)", fileName: "run.json", seed: { text: readFileSync(join(import.meta.dir, "../../configs/fashion-mnist.json"), "utf8") },
      parse: (b, p) => { write(p, b); loadConfigFile(p, { checkFiles: false, outputDir: join(dir, "out") }); } },
    { name: "run config (the demo)", fileName: "demo.json", seed: { text: readFileSync(join(import.meta.dir, "../../configs/demo.json"), "utf8") },
      parse: (b, p) => { write(p, b); loadConfigFile(p, { checkFiles: false, outputDir: join(dir, "out") }); } },
    { name: "DiskANN config (configs/diskann-example.json)", fileName: "diskann.json", seed: { text: readFileSync(join(import.meta.dir, "../../configs/diskann-example.json"), "utf8") },
      parse: (b, p) => { write(p, b); loadConfigFile(p, { checkFiles: false, outputDir: join(dir, "out") }); } },
  ];
}

