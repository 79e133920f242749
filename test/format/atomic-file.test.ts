import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { IoError } from "../../src/errors.ts";
import { AtomicFileWriter, writeFileAtomic, writeFileAtomicWith } from "../../src/format/atomic-file.ts";
import { makeTempDir } from "./tmp.ts";

const tmp = makeTempDir("atomic");
afterAll(tmp.cleanup);
const leftovers = () => readdirSync(tmp.dir).filter((n) => n.includes(".tmp-"));

describe("atomic file writes", () => {
  test("chunks land in order under the final name", () => {
    const file = tmp.path("a.bin");
    writeFileAtomic(file, [Uint8Array.from([1, 2]), Uint16Array.from([0x0403])]);
    expect(Array.from(readFileSync(file))).toEqual([1, 2, 3, 4]);
    writeFileAtomic(file, "text");
    expect(readFileSync(file, "utf8")).toBe("text");
    expect(leftovers()).toEqual([]);
  });

  test("a failing writer function keeps the old file and leaves no temp file", async () => {
    const file = tmp.path("b.txt");
    writeFileSync(file, "old");
    await expect(
      writeFileAtomicWith(file, async (w) => {
        w.append(new TextEncoder().encode("half of the new content"));
        expect(existsSync(w.tempPath)).toBe(true);
        throw new Error("disk on fire");
      }),
    ).rejects.toThrow("disk on fire");
    expect(readFileSync(file, "utf8")).toBe("old");
    expect(leftovers()).toEqual([]);
  });

  test("writeAt patches without moving the append position", async () => {
    const file = tmp.path("c.bin");
    await writeFileAtomicWith(file, (w) => {
      w.append(new Uint8Array(4));
      w.append(Uint8Array.from([9, 9]));
      w.writeAt(Uint8Array.from([7]), 1);
      expect(w.bytesWritten).toBe(6);
    });
    expect(Array.from(readFileSync(file))).toEqual([0, 7, 0, 0, 9, 9]);
  });

  test("a missing directory is an IoError naming the temp path", () => {
    const file = tmp.path("no/such/dir/x.bin");
    let err: unknown;
    try {
      new AtomicFileWriter(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).code).toBe("E_IO");
    expect((err as IoError).errno).toBe(2);
    expect((err as IoError).file).toContain("x.bin.tmp-");
  });

  test("a committed writer cannot be written again", () => {
    const w = new AtomicFileWriter(tmp.path("d.bin"));
    w.append(Uint8Array.from([1]));
    w.commit();
    expect(() => w.append(Uint8Array.from([2]))).toThrow(IoError);
    expect(Array.from(readFileSync(tmp.path("d.bin")))).toEqual([1]);
  });
});
