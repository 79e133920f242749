// The seed swarm over the simulated reader (see swarm.ts for what each seed checks).
//   RINGANN_SWARM=N        run N seeds (default 200)
//   RINGANN_SWARM_SEED=S   run seed S alone (what a failure prints)
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type SwarmStats, configFor, describeConfig, runSeed } from "./swarm.ts";
import { type TinyIndex, writeTinyIndex } from "./tiny-index.ts";

const only = process.env.RINGANN_SWARM_SEED;
const seeds = only !== undefined ? [Number(only)] : Array.from({ length: Number(process.env.RINGANN_SWARM ?? 200) }, (_, i) => i + 1);

let t: TinyIndex;
beforeAll(() => {
  t = writeTinyIndex({ n: 600, dim: 12, R: 12, M: 4, entryGraph: true, seed: 13 });
});
afterAll(() => t?.cleanup());

function queriesOf(seed: number, nq: number): Float32Array {
  const q = new Float32Array(nq * t.dim);
  for (let i = 0; i < nq; i++) q.set(t.randomQuery(seed * 1000 + i), i * t.dim);
  return q;
}

test(`fault swarm: ${seeds.length} seeds × (beam|pipe, W, C 1–8, cache, entry graph, schedule, faults)`, async () => {
  const canonical = new Map();
  const stats: SwarmStats = { faults: { eio: 0, short: 0, retry: 0, corrupt: 0, misconfig: 0 }, failedQueries: 0, queries: 0 };
  const t0 = performance.now();
  for (const seed of seeds) {
    const c = configFor(seed);
    try {
      await runSeed(t, queriesOf, c, canonical, stats);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`swarm seed ${seed} failed (${describeConfig(c)}): ${msg}\n` +
        `  rerun: RINGANN_SWARM_SEED=${seed} node_modules/.bin/bun test test/search/swarm.test.ts`);
    }
  }
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`swarm: ${seeds.length} seeds, ${stats.queries} queries (${stats.failedQueries} failed as they should), ` +
    `faults injected ${JSON.stringify(stats.faults)} in ${s} s`);
  // The swarm must actually inject every fault class it claims to.
  if (only === undefined && seeds.length >= 20) {
    for (const kind of ["eio", "short", "retry", "corrupt"] as const) expect(stats.faults[kind]).toBeGreaterThan(0);
    expect(stats.failedQueries).toBeGreaterThan(0);
  }
}, 600_000);
