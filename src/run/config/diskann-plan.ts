// Maps a DiskANN `disk-index` job onto ringann steps: a Build source becomes a build step, a
// search_phase a search step (BeamSearch → beam from the medoid, PipeSearch → pipe seeded from the
// entry graph, as PipeANN does). Fields ringann cannot honour are problems; fields that only tune
// DiskANN's own runtime become notes.
import { basename, resolve } from "node:path";
import type { DiskIndexJobInput } from "./diskann-schema.ts";
import { DEFAULTS, SEARCH_STEP_DEFAULTS, type BuildStep, type SearchStep, type Step } from "./plan.ts";
import { findInput, metricFromDiskann, type StepContext } from "./step-context.ts";

export function diskIndexSteps(job: DiskIndexJobInput, at: string, ctx: StepContext): Step[] {
  const { source, search_phase: phase } = job.content;
  const steps: Step[] = [];
  let prefix: string;
  if (source["disk-index-source"] === "Build") {
    prefix = resolve(ctx.baseDir, source.save_path);
    if (source.quantization_type !== undefined && source.quantization_type !== "FP") {
      ctx.notes.push(
        `${at}.content.source.quantization_type: ringann keeps full-precision vectors on disk; the setting is ignored`,
      );
    }
    const build: BuildStep = {
      kind: "build",
      at,
      label: `build ${basename(prefix)}`,
      reuse: true,
      data: findInput(source.data, ctx),
      dataset: null,
      out: prefix,
      metric: metricFromDiskann(source.distance),
      R: source.max_degree,
      L: source.l_build,
      alpha: DEFAULTS.alpha,
      pqBytes: source.num_pq_chunks,
      threads: source.num_threads,
      ramGb: source.build_ram_limit_gb,
      entryGraph: true,
      seed: 1,
      expect: { type: source.data_type, dim: source.dim },
    };
    steps.push(build);
  } else {
    prefix = resolve(ctx.baseDir, source.load_path);
  }
  if (phase === undefined) return steps;

  const where = `${at}.content.search_phase`;
  if (phase.is_flat_search === true)
    ctx.problems.push(`${where}.is_flat_search: ringann searches the graph only; expected false, found true`);
  const small = phase.search_list.filter((L) => L < phase.recall_at);
  if (small.length > 0)
    ctx.problems.push(
      `${where}.search_list: expected every L ≥ recall_at (${phase.recall_at}), found ${small.join(", ")}`,
    );
  const mode = phase.search_mode?.mode ?? "BeamSearch";
  if (phase.search_mode?.relaxed_monotonicity_l !== undefined) {
    ctx.notes.push(
      `${where}.search_mode.relaxed_monotonicity_l: not implemented by ringann's pipelined search; ignored`,
    );
  }
  if (phase.search_mode?.sqpoll_idle_ms !== undefined) {
    ctx.notes.push(
      `${where}.search_mode.sqpoll_idle_ms: ringann keeps SQPOLL off (a polling kernel thread starves busy search threads on few cores); ignored`,
    );
  }
  if (source["disk-index-source"] === "Build" && source.distance !== phase.distance) {
    ctx.problems.push(
      `${where}.distance: expected the build's distance "${source.distance}", found "${phase.distance}"`,
    );
  }
  const pipe = mode === "PipeSearch";
  const search: SearchStep = {
    kind: "search",
    at,
    label: `${basename(prefix)} ${mode}`,
    reuse: false,
    index: prefix,
    dataset: null,
    queries: findInput(phase.queries, ctx),
    gt: findInput(phase.groundtruth, ctx),
    metric: metricFromDiskann(phase.distance),
    k: phase.recall_at,
    Ls: [...new Set(phase.search_list)],
    modes: [pipe ? "pipe" : "beam"],
    widths: [phase.beam_width],
    threads: [phase.num_threads],
    concurrency: [1],
    cacheNodes: phase.num_nodes_to_cache ?? 0,
    ioLimit: phase.search_io_limit ?? null,
    adaptiveWidth: pipe && (phase.search_mode?.adaptive_beam_width ?? false),
    entryGraph: pipe,
    maxQueries: null,
    warmupQueries: 0,
    expectType: source.data_type,
    ...SEARCH_STEP_DEFAULTS,
    // DiskANN's vector filters: per query, the ids it may return (range-truth layout); the
    // groundtruth is then the filtered truth, as DiskANN reads it.
    ...(phase.vector_filters_file != null
      ? {
          filters: {
            kind: "ids",
            file: findInput(phase.vector_filters_file, ctx),
            at: `${where}.vector_filters_file`,
          },
          strategies: ["auto"],
        }
      : {}),
  };
  steps.push(search);
  return steps;
}
