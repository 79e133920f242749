// Config validation: every problem listed with its JSON path and what was expected; relative paths
// resolve against the config's folder; DiskANN's disk-index jobs are accepted and mapped.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../src/errors.ts";
import { loadConfigFile, planFromJson } from "../../src/run/config/config.ts";
import { DEMO_CONFIG, DEMO_REPO_CONFIG } from "../../src/run/config/demo.ts";
import type { BuildStep, SearchStep } from "../../src/run/config/plan.ts";
import { tempDir } from "../io/helpers.ts";

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir("ringann-config-");
});
afterAll(() => tmp.cleanup());

function problemsOf(json: unknown, checkFiles = false): string[] {
  try {
    planFromJson(json, { source: "test.json", baseDir: tmp.dir, defaultName: "t", checkFiles });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe("E_CONFIG");
    expect((err as ConfigError).path).toBe("test.json");
    return [...(err as ConfigError).problems];
  }
  throw new Error("expected a ConfigError");
}

describe("validation messages", () => {
  test("every problem is listed with its JSON path, the expectation and what was found", () => {
    const problems = problemsOf({
      jobs: [
        { type: "search", index: "idx/a", dataset: "d", L: [10, "x"], mode: "bem", width: 0, threds: 2 },
        { type: "bild", data: "x" },
        { type: "build", out: "idx/b", R: 1.5 },
      ],
      outptu: "r",
    });
    expect(problems).toContain(
      'jobs[0].L: expected an integer from 1 to 100000 or a non-empty list of them (search list size), found [10,"x"]',
    );
    expect(problems).toContain(
      'jobs[0].mode: expected "beam" | "pipe" | "range" or a non-empty list of them (beam = DiskANN, pipe = PipeANN, range = range search (pipe) with "radius"), found "bem"',
    );
    expect(problems).toContain(
      "jobs[0].width: expected an integer from 1 to 256 or a non-empty list of them (reads in flight per query (beam width)), found 0",
    );
    expect(
      problems.some((p) =>
        p.startsWith(
          "jobs[0]: unknown field 'threds' (did you mean 'threads'?) in a search job; expected only: type, name, reuse, index",
        ),
      ),
    ).toBe(true);
    expect(problems).toContain(
      'jobs[1].type: expected "type" to be one of "dataset" | "gt" | "build" | "search" | "sweep" | "serve" | "disk-index", found "bild"',
    );
    expect(problems).toContain("jobs[2].R: expected an integer from 4 to 512 (maximum graph degree), found 1.5");
    expect(problems.some((p) => p.startsWith("(top level): unknown field 'outptu' (did you mean 'output'?)"))).toBe(
      true,
    );
    expect(problems.length).toBe(7);
  });

  test("page options: page_expand takes a policy, page_search a boolean, both named by path", () => {
    const problems = problemsOf({
      jobs: [{ type: "search", index: "idx/a", dataset: "d", page_expand: "most", page_search: "yes" }],
    });
    expect(problems).toContain(
      'jobs[0].page_expand: expected "queued" | "all" | "none" (page search: which co-located nodes are expanded without a read (queued = those in the candidate list)), found "most"',
    );
    expect(problems.some((p) => p.startsWith("jobs[0].page_search: expected true or false"))).toBe(true);
    const plan = planFromJson(
      { jobs: [{ type: "search", index: "idx/a", dataset: "d", page_expand: "all", page_search: false }] },
      { source: "test.json", baseDir: tmp.dir, defaultName: "t", checkFiles: false },
    );
    const step = plan.steps[0] as { pageExpand: string | null; pageSearch: boolean | null };
    expect(step.pageExpand).toBe("all");
    expect(step.pageSearch).toBe(false);
  });

  test("a missing field says it is missing and what was expected", () => {
    const problems = problemsOf({ jobs: [{ type: "gt", base: "b.fbin", queries: "q.fbin" }] });
    expect(problems).toEqual(["jobs[0].out: missing; expected a path: the ground-truth file to write"]);
    expect(problemsOf({})).toEqual(["jobs: missing; expected a non-empty list of jobs"]);
    expect(problemsOf({ jobs: [] })).toEqual(["jobs: expected a non-empty list of jobs, found []"]);
  });

  test("cross-field checks name the field", () => {
    const problems = problemsOf({
      jobs: [
        { type: "build", out: "i" },
        { type: "search", index: "i", queries: "q.fbin", k: 10, L: [5, 20] },
        { type: "dataset", source: "fashion-mnist", dir: "d", n: 10 },
      ],
    });
    expect(problems).toContain(
      'jobs[0]: expected exactly one of "data" (a vector file) or "dataset" (a dataset folder), found neither',
    );
    expect(problems).toContain("jobs[1].L: expected every L ≥ k (10), found 5");
    expect(problems).toContain(
      'jobs[1]: expected "dataset" (a dataset folder) or both "queries" and "gt", found only queries',
    );
    expect(problems).toContain('jobs[2].n: only for source "synthetic", found it with source "fashion-mnist"');
  });

  test("inputs must exist or be written by an earlier job", () => {
    const problems = problemsOf(
      {
        jobs: [
          { type: "search", index: "idx/early", queries: "data/q.fbin", gt: "data/gt.bin" },
          { type: "dataset", source: "synthetic", dir: "data" },
          { type: "build", dataset: "data", out: "idx/late" },
          { type: "search", index: "idx/late", dataset: "data" },
        ],
      },
      true,
    );
    expect(problems).toEqual([
      `jobs[0].index: expected an index (<prefix>_disk.index), found no file at ${join(tmp.dir, "idx/early_disk.index")} (and no earlier job writes it)`,
      `jobs[0].queries: expected the query vectors, found no file at ${join(tmp.dir, "data/q.fbin")} (and no earlier job writes it)`,
      `jobs[0].gt: expected the ground truth, found no file at ${join(tmp.dir, "data/gt.bin")} (and no earlier job writes it)`,
    ]);
  });

  test("a file that is not JSON is reported with the file name", () => {
    const file = join(tmp.dir, "broken.json");
    writeFileSync(file, '{ "jobs": [ }');
    expect(() => loadConfigFile(file)).toThrow(ConfigError);
    try {
      loadConfigFile(file);
    } catch (err) {
      expect((err as ConfigError).message).toContain(`Invalid ${file}: not valid JSON`);
    }
    expect(() => loadConfigFile(join(tmp.dir, "absent.json"))).toThrow("cannot read the config file (ENOENT)");
  });
});

describe("paths", () => {
  test("relative paths resolve against the config's folder, not the working directory", () => {
    const folder = join(tmp.dir, "cfg");
    mkdirSync(folder, { recursive: true });
    const file = join(folder, "run.json");
    writeFileSync(
      file,
      JSON.stringify({
        jobs: [
          { type: "dataset", source: "synthetic", dir: "../data/syn", n: 1000 },
          { type: "build", dataset: "../data/syn", out: "idx/syn" },
          { type: "sweep", index: "idx/syn", dataset: "../data/syn", threads: [1, 2], concurrency: [1, 4], L: 20 },
        ],
      }),
    );
    const plan = loadConfigFile(file);
    expect(plan.name).toBe("run");
    expect(plan.baseDir).toBe(folder);
    expect(plan.outputDir).toBe(join(folder, "results/run"));
    const build = plan.steps[1] as BuildStep;
    expect(build.dataset).toBe(join(tmp.dir, "data/syn"));
    expect(build.out).toBe(join(folder, "idx/syn"));
    const sweep = plan.steps[2] as SearchStep;
    expect(sweep.threads).toEqual([1, 2]);
    expect(sweep.concurrency).toEqual([1, 4]);
    expect(sweep.Ls).toEqual([20]);
    expect(sweep.modes).toEqual(["beam", "pipe"]);
  });
});

describe("DiskANN's benchmark format", () => {
  const diskann = (searchMode: unknown, extra: Record<string, unknown> = {}) => ({
    search_directories: ["bin"],
    jobs: [
      {
        type: "disk-index",
        content: {
          source: {
            "disk-index-source": "Build",
            data_type: "float32",
            data: "base.fbin",
            distance: "squared_l2",
            dim: 16,
            max_degree: 24,
            l_build: 40,
            num_threads: 2,
            build_ram_limit_gb: 1.0,
            num_pq_chunks: 8,
            quantization_type: "FP",
            save_path: "index/syn",
          },
          search_phase: {
            queries: "query.fbin",
            groundtruth: "gt.bin",
            search_list: [10, 20, 40],
            beam_width: 4,
            recall_at: 10,
            num_threads: 2,
            is_flat_search: false,
            distance: "squared_l2",
            ...(searchMode === undefined ? {} : { search_mode: searchMode }),
            ...extra,
          },
        },
      },
      {
        type: "disk-index",
        content: { source: { "disk-index-source": "Load", data_type: "float32", load_path: "index/syn" } },
      },
    ],
  });

  test("Build + search_phase map onto a build and a search; inputs come from search_directories", () => {
    mkdirSync(join(tmp.dir, "bin"), { recursive: true });
    writeFileSync(join(tmp.dir, "bin/base.fbin"), "");
    writeFileSync(join(tmp.dir, "bin/query.fbin"), "");
    writeFileSync(join(tmp.dir, "bin/gt.bin"), "");
    const plan = planFromJson(diskann({ mode: "PipeSearch", adaptive_beam_width: true }), {
      source: "d.json",
      baseDir: tmp.dir,
      defaultName: "d",
    });
    expect(plan.steps.map((s) => s.kind)).toEqual(["build", "search"]);
    const build = plan.steps[0] as BuildStep;
    expect(build.data).toBe(join(tmp.dir, "bin/base.fbin"));
    expect(build.out).toBe(join(tmp.dir, "index/syn"));
    expect([build.R, build.L, build.pqBytes, build.threads, build.metric]).toEqual([24, 40, 8, 2, "l2"]);
    expect(build.expect).toEqual({ type: "float32", dim: 16 });
    const search = plan.steps[1] as SearchStep;
    expect(search.queries).toBe(join(tmp.dir, "bin/query.fbin"));
    expect(search.gt).toBe(join(tmp.dir, "bin/gt.bin"));
    expect(search.modes).toEqual(["pipe"]);
    expect(search.adaptiveWidth).toBe(true);
    expect(search.entryGraph).toBe(true);
    expect([search.k, search.widths, search.threads, search.Ls]).toEqual([10, [4], [2], [10, 20, 40]]);
    const beam = planFromJson(diskann({ mode: "BeamSearch" }), { source: "d.json", baseDir: tmp.dir, defaultName: "d" })
      .steps[1] as SearchStep;
    expect(beam.modes).toEqual(["beam"]);
    expect(beam.entryGraph).toBe(false);
    const noMode = planFromJson(diskann(undefined), { source: "d.json", baseDir: tmp.dir, defaultName: "d" })
      .steps[1] as SearchStep;
    expect(noMode.modes).toEqual(["beam"]);
  });

  test("what ringann cannot honour is a problem; what only tunes DiskANN is a note", () => {
    const problems = problemsOf(
      diskann(
        { mode: "PipeSearch", sqpoll_idle_ms: 1000 },
        { is_flat_search: true, distance: "inner_product", search_list: [5, 20] },
      ),
    );
    expect(problems).toEqual([
      "jobs[0].content.search_phase.is_flat_search: ringann searches the graph only; expected false, found true",
      "jobs[0].content.search_phase.search_list: expected every L ≥ recall_at (10), found 5",
      'jobs[0].content.search_phase.distance: expected the build\'s distance "squared_l2", found "inner_product"',
    ]);
    const plan = planFromJson(diskann({ mode: "PipeSearch", sqpoll_idle_ms: 1000 }), {
      source: "d.json",
      baseDir: tmp.dir,
      defaultName: "d",
      checkFiles: false,
    });
    expect(plan.notes.some((n) => n.includes("sqpoll_idle_ms") && n.includes("SQPOLL off"))).toBe(true);
    const bad = problemsOf(diskann({ mode: "GreedySearch" }));
    expect(bad).toEqual([
      'jobs[0].content.search_phase.search_mode.mode: expected "BeamSearch" | "PipeSearch" (DiskANN\'s search algorithm), found "GreedySearch"',
    ]);
    const badSource = problemsOf({
      jobs: [{ type: "disk-index", content: { source: { "disk-index-source": "Fetch" } } }],
    });
    expect(badSource).toEqual([
      'jobs[0].content.source["disk-index-source"]: expected a source object with "disk-index-source": "Load" | "Build", found "Fetch"',
    ]);
  });
});

describe("shipped configs", () => {
  const configsDir = join(import.meta.dir, "../../configs");

  test("every file in configs/ is a valid config (inputs aside: they are made by `ringann run`)", () => {
    const names = readdirSync(configsDir).filter((f) => f.endsWith(".json"));
    expect(names.sort()).toEqual([
      "demo.json",
      "diskann-example.json",
      "fashion-mnist-serve.json",
      "fashion-mnist.json",
      "glove-100.json",
    ]);
    for (const name of names) {
      const plan = loadConfigFile(join(configsDir, name), { checkFiles: false });
      expect(plan.steps.length).toBeGreaterThan(0);
      // Everything a shipped config writes stays inside the repository's .data/ and results/.
      for (const step of plan.steps) {
        const out =
          step.kind === "dataset" ? step.dir : step.kind === "search" || step.kind === "serve" ? null : step.out;
        if (out !== null) expect(out.startsWith(join(configsDir, "../.data/"))).toBe(true);
      }
    }
  });

  test("configs/demo.json is the built-in demo with its files under .data/demo", () => {
    const text = readFileSync(join(configsDir, "demo.json"), "utf8");
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(DEMO_REPO_CONFIG)));
    // Same jobs as the built-in demo apart from where the files go.
    const strip = (c: typeof DEMO_CONFIG) =>
      c.jobs.map((j) => ({ ...j, dir: undefined, dataset: undefined, out: undefined, index: undefined }));
    expect(strip(DEMO_REPO_CONFIG)).toEqual(strip(DEMO_CONFIG));
  });
});
