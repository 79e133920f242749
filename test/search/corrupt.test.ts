// A corrupted or inconsistent index gets a clear error naming the file and field — never a hang,
// a crash or silent garbage — and the index stays usable after a bad record or a failed read.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { ConfigError, FormatError, IoError } from "../../src/errors.ts";
import { SimReader } from "../../src/io/sim-reader.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { type TinyIndex, writeTinyIndex } from "./tiny-index.ts";

let t: TinyIndex;
let copyN = 0;

/** A fresh copy of the tiny index under a new prefix, for one corruption. */
function copyIndex(): string {
  const prefix = `${t.prefix}-c${copyN++}`;
  for (const suffix of [
    "_disk.index",
    "_pq_pivots.bin",
    "_pq_compressed.bin",
    "_ringann.json",
    "_mem.index",
    "_mem.index.data",
    "_mem.index.tags",
  ]) {
    copyFileSync(`${t.prefix}${suffix}`, `${prefix}${suffix}`);
  }
  return prefix;
}

function patch(file: string, offset: number, bytes: (view: DataView) => void): void {
  const buf = new Uint8Array(readFileSync(file));
  bytes(new DataView(buf.buffer, offset));
  writeFileSync(file, buf);
}

/** Byte offset of node `id`'s degree field in the disk file. */
function degreeOffset(id: number): number {
  const maxNode = t.dim * 4 + (t.R + 1) * 4;
  const perSector = Math.floor(4096 / maxNode);
  return (1 + Math.floor(id / perSector)) * 4096 + (id % perSector) * maxNode + t.dim * 4;
}

async function openError(prefix: string, opts = {}): Promise<Error> {
  try {
    const index = await DiskIndex.open(prefix, opts);
    index.close();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected DiskIndex.open to fail");
}

beforeAll(() => {
  t = writeTinyIndex({ n: 120, dim: 8, R: 6, M: 4, seed: 3, entryGraph: true });
});
afterAll(() => t.cleanup());

describe("corrupted index files are refused at open with a clear message", () => {
  test("bad header (nr)", async () => {
    const p = copyIndex();
    patch(`${p}_disk.index`, 0, (v) => v.setInt32(0, 3, true));
    const err = await openError(p);
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toMatch(/_disk\.index: field 'header nr' expected 7\.\.\d+/);
  });

  test("medoid out of range", async () => {
    const p = copyIndex();
    patch(`${p}_disk.index`, 24, (v) => v.setBigUint64(0, 5000n, true));
    expect((await openError(p)).message).toMatch(/field 'medoid' expected < npts \(120\), found 5000/);
  });

  test("truncated file (last sector cut short)", async () => {
    const p = copyIndex();
    truncateSync(`${p}_disk.index`, t.diskBytes.length - 100);
    const err = await openError(p);
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toMatch(/file size/);
  });

  test("file shorter than one header sector", async () => {
    const p = copyIndex();
    truncateSync(`${p}_disk.index`, 1000);
    expect((await openError(p)).message).toMatch(/header sector.*4096 bytes.*1000 bytes/);
  });

  test("wrong vector type", async () => {
    // float32 dim 8 read as uint8 still fits the disk header (R would be 12), but not the sample file.
    const p = copyIndex();
    rmSync(`${p}_ringann.json`);
    const err = await openError(p, { type: "uint8" });
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toMatch(/_mem\.index\.data.*type\?/);
  });

  test("PQ pivots of another dimension", async () => {
    const p = copyIndex();
    const other = writeTinyIndex({ n: 50, dim: 6, R: 4, M: 3 });
    copyFileSync(`${other.prefix}_pq_pivots.bin`, `${p}_pq_pivots.bin`);
    other.cleanup();
    expect((await openError(p)).message).toMatch(/_pq_pivots\.bin.*ndims.*expected 8.*found 6/);
  });

  test("PQ codes for a different number of points", async () => {
    const p = copyIndex();
    patch(`${p}_pq_compressed.bin`, 0, (v) => v.setInt32(0, 119, true));
    expect((await openError(p)).message).toMatch(/_pq_compressed\.bin: field 'npts' expected 120/);
  });

  test("entry graph tag beyond the disk index", async () => {
    const p = copyIndex();
    patch(`${p}_mem.index.tags`, 8, (v) => v.setUint32(0, 999, true));
    expect((await openError(p)).message).toMatch(
      /_mem\.index\.tags: field 'tags\[0\]' expected < disk index npts \(120\)/,
    );
  });

  test("missing file names the file", async () => {
    const p = copyIndex();
    rmSync(`${p}_pq_compressed.bin`);
    const err = await openError(p);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("_pq_compressed.bin");
  });

  test("bad sidecar metric", async () => {
    const p = copyIndex();
    const sidecar = JSON.parse(readFileSync(`${p}_ringann.json`, "utf8"));
    writeFileSync(`${p}_ringann.json`, JSON.stringify({ ...sidecar, metric: "manhattan" }));
    const err = await openError(p);
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toMatch(/_ringann\.json: field 'metric'/);
  });
});

describe("corrupted node records fail the search that meets them", () => {
  for (const mode of ["beam", "pipe"] as const) {
    test(`degree > R (${mode})`, async () => {
      const p = copyIndex();
      patch(`${p}_disk.index`, degreeOffset(t.medoid), (v) => v.setUint32(0, t.R + 5, true));
      const index = await DiskIndex.open(p, { entryGraph: false });
      const err = (() => {
        try {
          index.search(t.randomQuery(1), { mode, L: 20 });
        } catch (e) {
          return e as Error;
        }
        throw new Error("no error");
      })();
      expect(err).toBeInstanceOf(FormatError);
      expect(err.message).toContain(`field 'node ${t.medoid} nnbrs' expected ≤ R (${t.R}), found ${t.R + 5}`);
      index.close();
    });

    test(`neighbour id out of range (${mode})`, async () => {
      const p = copyIndex();
      patch(`${p}_disk.index`, degreeOffset(t.medoid) + 8, (v) => v.setUint32(0, 777, true));
      const index = await DiskIndex.open(p, { entryGraph: false });
      const err = (() => {
        try {
          index.search(t.randomQuery(1), { mode, L: 20 });
        } catch (e) {
          return e as Error;
        }
        throw new Error("no error");
      })();
      expect(err).toBeInstanceOf(FormatError);
      expect(err.message).toContain(`field 'node ${t.medoid} nbrs[1]' expected < npts (120), found 777`);
      index.close();
    });
  }

  test("a corrupt record in the node cache is refused at open", async () => {
    const p = copyIndex();
    patch(`${p}_disk.index`, degreeOffset(t.medoid), (v) => v.setUint32(0, 1000, true));
    expect((await openError(p, { cacheNodes: 10 })).message).toContain(`node ${t.medoid} nnbrs`);
  });
});

describe("a failed read fails its query only", () => {
  for (const mode of ["beam", "pipe"] as const) {
    test(mode, async () => {
      // The sector of the medoid fails: the first read of every medoid-seeded query.
      const maxNode = t.dim * 4 + (t.R + 1) * 4;
      const badSector = 1 + Math.floor(t.medoid / Math.floor(4096 / maxNode));
      const index = await DiskIndex.open(t.prefix, {
        entryGraph: false,
        openReader: (file, g) =>
          new SimReader(t.diskBytes, { ...g, file, seed: 2, maxDelayTicks: 4, failOffsets: [badSector * 4096] }),
      });
      const err = (() => {
        try {
          index.search(t.randomQuery(1), { mode, L: 20 });
        } catch (e) {
          return e as Error;
        }
        throw new Error("no error");
      })();
      expect(err).toBeInstanceOf(IoError);
      expect(err.message).toMatch(/Cannot read .*_disk\.index at offset \d+: EIO/);
      // The index is still usable: nothing leaked, the next failing query fails the same way.
      expect(() => index.search(t.randomQuery(2), { mode, L: 20 })).toThrow(IoError);
      index.driver.drain();
      expect(index.reader.inFlight).toBe(0);
      index.close();
    });
  }
});
