// One error model: every command path that fails throws a RingannError of the right class and code,
// and the process exits with the code's exit code from the one map (src/exit-codes.ts) — the
// README's 0/1/2/3/130. Each path is checked twice: in process (class, code, exitCodeFor) and as
// a real `ringann` process (the exit status and a message naming what is wrong).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "../../src/cli/command.ts";
import { ConfigError, type ErrorCode, FormatError, IoError, RingannError, UsageError, asRingannError } from "../../src/errors.ts";
import { EXIT_CODE_OF, type ExitCode, exitCodeFor } from "../../src/exit-codes.ts";
import { MissingPackageError } from "../../src/data/packages.ts";
import { fashionMnistFiles } from "../../src/data/fashion-mnist.ts";
import { chooseBackend } from "../../src/io/open-reader.ts";
import { SimReader } from "../../src/io/sim-reader.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { PIPEANN } from "../fixtures.ts";

const ROOT = join(import.meta.dir, "../..");
let dir: string;
let badIndex: string;
let nanBase: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ringann-exit-"));
  // A copy of the fixture index whose disk file lost its tail.
  badIndex = join(dir, "cut");
  for (const s of ["_disk.index", "_pq_pivots.bin", "_pq_compressed.bin"]) copyFileSync(`${PIPEANN.prefix}${s}`, `${badIndex}${s}`);
  truncateSync(`${badIndex}_disk.index`, 4096 * 3);
  // A base file with a NaN in row 1.
  nanBase = join(dir, "nan.fbin");
  const v = new Float32Array(2 + 3 * 4);
  new Int32Array(v.buffer, 0, 2).set([3, 4]);
  v[2 + 4 + 2] = NaN;
  writeFileSync(nanBase, new Uint8Array(v.buffer));
  writeFileSync(join(dir, "bad.json"), JSON.stringify({ jobs: [{ type: "search", index: "x", L: "ten" }] }));
  writeFileSync(join(dir, "gt-nan.json"), JSON.stringify({ jobs: [{ type: "gt", base: nanBase, queries: nanBase, out: "gt.bin", k: 2 }] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function thrownBy(name: string, argv: string[]): Promise<unknown> {
  const { command } = (await import(`../../src/cli/cmd-${name}.ts`)) as { command: Command };
  try {
    await command.run(argv);
  } catch (err) {
    return err;
  }
  throw new Error(`ringann ${name} ${argv.join(" ")} did not throw`);
}

function exitOf(argv: string[], env: Record<string, string> = {}): { code: number; stderr: string } {
  const p = Bun.spawnSync([process.execPath, "src/cli/main.ts", ...argv], { cwd: ROOT, env: { ...process.env, ...env } });
  return { code: p.exitCode ?? -1, stderr: p.stderr.toString() };
}

describe("the code → exit-code map", () => {
  test("covers the README's classes", () => {
    expect(new Set(Object.values(EXIT_CODE_OF))).toEqual(new Set([1, 2, 3]));
    expect(exitCodeFor(new UsageError("x"))).toBe(2);
    expect(exitCodeFor(new ConfigError("x", ["y"]))).toBe(2);
    expect(exitCodeFor(new FormatError("f", "g", "h", "i"))).toBe(1);
    expect(exitCodeFor(new IoError("read", 5, "f", 0, "EIO"))).toBe(1);
    expect(exitCodeFor(new MissingPackageError("Fashion-MNIST", "dataset-fashion-mnist", "apt-get install ...", ["/x"]))).toBe(3);
    expect(exitCodeFor(new RingannError("E_URING_UNAVAILABLE", "forced"))).toBe(3);
    expect(exitCodeFor(new RingannError("E_NATIVE_MISSING", "no library"))).toBe(3);
    expect(exitCodeFor(new TypeError("a bug"))).toBe(1);
    expect(asRingannError(new TypeError("a bug")).code).toBe("E_INTERNAL");
  });

  test("a missing dataset package is a MissingPackageError (exit 3)", () => {
    let err: unknown = null;
    try {
      fashionMnistFiles(join(dir, "no-such-package"));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MissingPackageError);
    expect(exitCodeFor(err)).toBe(3);
  });

  test("a misconfigured reader (EINVAL) fails the search with E_MISCONFIGURED (exit 3); the index still closes", async () => {
    const disk = new Uint8Array(await Bun.file(`${PIPEANN.prefix}_disk.index`).arrayBuffer());
    let reader: SimReader | null = null;
    const index = await DiskIndex.open(PIPEANN.prefix, { openReader: (file, g) => (reader = new SimReader(disk, { ...g, file })) });
    reader!.setFaultRates({ misconfig: 1 });
    const q = new Float32Array(index.dim);
    let err: unknown = null;
    try {
      index.search(q, { mode: "pipe", L: 20 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).code).toBe("E_MISCONFIGURED");
    expect((err as IoError).file).toBe(index.files.diskFile);
    expect(exitCodeFor(err)).toBe(3);
    expect(() => index.search(q, { mode: "beam", L: 20 })).toThrow(err as IoError);
    index.close();
    expect(reader!.inFlight).toBe(0);
  });
});

// [command, argv, class, code, exit code, text the message must contain]
const PATHS: [string, () => string[], new (...a: never[]) => RingannError, ErrorCode, ExitCode, () => string][] = [
  ["build", () => ["--data", nanBase, "--out", join(dir, "o"), "--metric", "hamming"], UsageError, "E_USAGE", 2, () => "--metric"],
  ["build", () => ["--data", nanBase, "--out", join(dir, "nan-idx"), "--R", "4", "--L", "8", "--threads", "1"], FormatError, "E_FORMAT", 1, () => "nan.fbin"],
  ["search", () => ["--index", join(dir, "none"), "--queries", PIPEANN.queries, "--gt", PIPEANN.gt], ConfigError, "E_CONFIG", 2, () => "none_disk.index"],
  ["search", () => ["--index", badIndex, "--queries", PIPEANN.queries, "--gt", PIPEANN.gt], FormatError, "E_FORMAT", 1, () => "cut_disk.index"],
  ["info", () => [badIndex], FormatError, "E_FORMAT", 1, () => "cut_disk.index"],
  ["gt", () => ["--base", nanBase, "--queries", nanBase, "--out", join(dir, "gt.bin"), "--k", "2"], FormatError, "E_FORMAT", 1, () => "nan.fbin"],
  ["gt", () => ["--base", nanBase], UsageError, "E_USAGE", 2, () => "Missing required flag"],
  ["convert", () => [nanBase, join(dir, "out.fvecs")], FormatError, "E_FORMAT", 1, () => "nan.fbin"],
  ["dataset", () => ["no-such-dataset", join(dir, "d")], UsageError, "E_USAGE", 2, () => "no-such-dataset"],
  ["dataset", () => ["fashion-mnist", join(dir, "d"), "--source", join(dir, "no-package")], MissingPackageError, "E_MISSING_PACKAGE", 3, () => "dataset-fashion-mnist"],
  ["run", () => [join(dir, "bad.json")], ConfigError, "E_CONFIG", 2, () => "bad.json"],
  ["run", () => ["a.json", "b.json"], UsageError, "E_USAGE", 2, () => "at most one config"],
];

describe("every command path", () => {
  for (const [name, argv, cls, code, exit, text] of PATHS) {
    test(`ringann ${name}: ${cls.name} ${code} → exit ${exit}`, async () => {
      const err = await thrownBy(name, argv());
      expect(err).toBeInstanceOf(cls);
      expect((err as RingannError).code).toBe(code);
      expect(exitCodeFor(err)).toBe(exit);
      const p = exitOf([name, ...argv()]);
      expect(p.code).toBe(exit);
      expect(p.stderr).toContain(text());
    });
  }

  test("ringann run: a job that fails at run time exits 1 (the cause's code, as every command maps it)", () => {
    const p = exitOf(["run", join(dir, "gt-nan.json"), "--quiet", "--out", join(dir, "run-out")]);
    expect(p.stderr).toContain("nan.fbin");
    expect(p.code).toBe(1);
  });

  test("a bad RINGANN_IO is a config error (exit 2) in search as in run", () => {
    const p = exitOf(["search", "--index", PIPEANN.prefix, "--queries", PIPEANN.queries, "--gt", PIPEANN.gt, "--L", "10", "--quiet"], { RINGANN_IO: "bogus" });
    expect(p.stderr).toContain("RINGANN_IO");
    expect(p.code).toBe(2);
    expect(() => {
      const saved = process.env.RINGANN_IO;
      process.env.RINGANN_IO = "bogus";
      try {
        chooseBackend("auto");
      } finally {
        if (saved === undefined) delete process.env.RINGANN_IO;
        else process.env.RINGANN_IO = saved;
      }
    }).toThrow(RingannError);
  });
});
