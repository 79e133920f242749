// `ringann relayout`, `ringann build --layout page` and `ringann info` on page layouts, end to end
// through the CLI: JSON output, what info prints, searches of the result, usage errors.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { makeSynthetic } from "../../src/data/synthetic.ts";
import { writeBin } from "../../src/format/bin.ts";
import { makeTempDir } from "../format/tmp.ts";
import { PIPEANN } from "../fixtures.ts";

setDefaultTimeout(120_000);
const BUN = process.execPath;
const tmp = makeTempDir("relayout-cli");
afterAll(() => tmp.cleanup());

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const p = Bun.spawnSync([BUN, "src/cli/main.ts", ...args], { cwd: `${import.meta.dir}/../..` });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

describe("ringann relayout", () => {
  test("relayouts the PipeANN fixture; info shows the layout; search on it keeps recall with fewer reads", () => {
    const out = tmp.path("syn10k-page");
    const r = cli(["relayout", PIPEANN.prefix, "--out", out, "--type", "float32", "--json", "--quiet"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.npts).toBe(10000);
    expect(j.nodes_per_sector).toBe(6);
    expect(j.overlap.sectorMates).toBeGreaterThan(10 * j.overlap_before.sectorMates);
    expect(Object.keys(j.phases)).toEqual(["read graph", "page order", "write sectors"]);

    const info = cli(["info", out]);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/layout\s+page: neighbours share sectors/);
    expect(info.stdout).toContain("of sector mates are out-neighbours");
    const infoJson = JSON.parse(cli(["info", out, "--json"]).stdout);
    expect(infoJson.layout.kind).toBe("page");
    expect(infoJson.layout.nodes_per_sector).toBe(6);
    expect(JSON.parse(cli(["info", PIPEANN.prefix, "--json"]).stdout).layout.kind).toBe("id");

    const common = [
      "--queries",
      PIPEANN.queries,
      "--gt",
      PIPEANN.gt,
      "--L",
      "50",
      "--mode",
      "beam,pipe",
      "--json",
      "--quiet",
    ];
    const a = JSON.parse(cli(["search", "--index", PIPEANN.prefix, ...common]).stdout).rows as {
      mode: string;
      recall: number;
      reads: number;
    }[];
    type Row = { mode: string; recall: number; reads: number; page_nodes: number; page_hops: number };
    const b = JSON.parse(cli(["search", "--index", out, ...common]).stdout).rows as Row[];
    for (const mode of ["beam", "pipe"]) {
      const x = a.find((row) => row.mode === mode)!;
      const y = b.find((row) => row.mode === mode)!;
      expect(y.recall).toBeGreaterThanOrEqual(x.recall - 0.005);
      expect(y.reads).toBeLessThan(0.7 * x.reads);
      // Every record of every fetched sector is used (the last sector holds 4): 1 + page_nodes / reads.
      expect(1 + y.page_nodes / y.reads).toBeGreaterThan(5.9);
      expect(1 + y.page_nodes / y.reads).toBeLessThanOrEqual(6);
      expect(y.page_hops).toBeGreaterThan(0);
      expect((x as unknown as Row).page_nodes).toBe(0);
    }

    // The page options reach the Workers: node by node on the page layout reads about as much as id order
    // and scores no co-located node; "all" expands more of them without a read than "queued".
    const plain = JSON.parse(cli(["search", "--index", out, ...common, "--no-page-search"]).stdout).rows as Row[];
    const all = JSON.parse(cli(["search", "--index", out, ...common, "--page-expand", "all"]).stdout).rows as Row[];
    for (const mode of ["beam", "pipe"]) {
      const x = a.find((row) => row.mode === mode)!;
      const p = plain.find((row) => row.mode === mode)!;
      expect(p.page_nodes).toBe(0);
      expect(p.page_hops).toBe(0);
      expect(p.reads).toBeGreaterThan(0.8 * x.reads);
      expect(all.find((row) => row.mode === mode)!.page_hops).toBeGreaterThan(
        b.find((row) => row.mode === mode)!.page_hops,
      );
    }
    const bad = cli(["search", "--index", out, ...common, "--page-expand", "some"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--page-expand: expected one of queued, all, none, got 'some'");
  });

  test("usage errors: no --out, an unknown algorithm, a missing index", () => {
    expect(cli(["relayout", PIPEANN.prefix]).code).toBe(2);
    const bad = cli(["relayout", PIPEANN.prefix, "--out", tmp.path("x"), "--algorithm", "metis"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--algorithm must be one of greedy, seed-neighbours");
    const missing = cli(["relayout", tmp.path("nothing"), "--out", tmp.path("y")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file");
  });
});

describe("ringann build --layout page", () => {
  test("builds, renumbers in place, and the index searches by page", () => {
    const data = makeSynthetic({ n: 3000, dim: 32, queries: 0, seed: 4 });
    const base = tmp.path("base.fbin");
    writeBin(base, "float32", data.base, 32);
    const prefix = tmp.path("built");
    const r = cli([
      "build",
      "--data",
      base,
      "--out",
      prefix,
      "--R",
      "16",
      "--L",
      "32",
      "--threads",
      "1",
      "--layout",
      "page",
      "--json",
      "--quiet",
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(j.layout).toBe("page");
    expect(j.overlap.sectorMates).toBeGreaterThan(j.overlap_before.sectorMates);
    const info = JSON.parse(cli(["info", prefix, "--json"]).stdout);
    expect(info.layout.kind).toBe("page");
    expect(info.layout.node_tags).toBe(true);
    // A later id-order build at the same prefix removes the page layout's files.
    const again = cli([
      "build",
      "--data",
      base,
      "--out",
      prefix,
      "--R",
      "16",
      "--L",
      "32",
      "--threads",
      "1",
      "--quiet",
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(cli(["info", prefix, "--json"]).stdout).layout.kind).toBe("id");
    expect(cli(["build", "--data", base, "--out", prefix, "--layout", "pages"]).code).toBe(2);
  });
});
