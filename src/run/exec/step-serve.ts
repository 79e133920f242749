// A `serve` job: `ringann serve` inside a run (for demos) — the index served over HTTP until the job's
// `seconds` run out or Ctrl-C, which stops it gracefully (in-flight requests finish, files close).
import { DEFAULT_DISPATCH, indexConfig } from "../../serve/serve-config.ts";
import { type ServeHandle, startServe } from "../../serve/serve.ts";
import type { ServeStep } from "../config/plan.ts";
import type { RunLog } from "../report/run-log.ts";
import type { StepResult } from "./jobs.ts";

const live = new Set<ServeHandle>();

/** Ctrl-C during a run: stop every serving job gracefully. */
export async function stopAllServeSteps(): Promise<void> {
  await Promise.all([...live].map((h) => h.stop()));
}

export async function runServeStep(step: ServeStep, log: RunLog): Promise<StepResult> {
  const ix = indexConfig(
    {
      name: step.name,
      index: step.index,
      ...(step.dataset ? { dataset: step.dataset } : {}),
      concurrency: step.concurrency,
      cache_nodes: step.cacheNodes,
      defaults: { k: step.k, L: step.L, mode: step.mode, width: step.width },
      limits: { max_L: Math.max(500, step.L), max_k: Math.max(100, step.k) },
    },
    "/",
  );
  const handle = await startServe({
    host: step.host,
    port: step.port,
    threads: step.threads,
    dispatch: DEFAULT_DISPATCH,
    token: process.env.RINGANN_TOKEN || null,
    corsOrigins: [],
    maxBodyBytes: 8 << 20,
    indexes: [ix],
  });
  live.add(handle);
  log.info(
    `serving ${step.name} on ${handle.url} (page at ${handle.url}/)${step.seconds === null ? " until Ctrl-C" : ` for ${step.seconds} s`}`,
  );
  try {
    if (step.seconds !== null) await new Promise((r) => setTimeout(r, step.seconds! * 1000));
    else await new Promise(() => undefined); // until Ctrl-C (the run's handler stops the server and exits)
  } finally {
    live.delete(handle);
  }
  const answered = /ringann_queries_total (\d+)/.exec(handle.metrics.render())?.[1] ?? "0";
  await handle.stop();
  return { status: "done", detail: `${answered} queries answered` };
}
