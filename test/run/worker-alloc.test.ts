// A search Worker's query path allocates nothing: the engine a Worker runs (WorkerEngine, here on
// the test's own thread, on a real index read through io_uring) searches 20 and then 200 queries,
// and the JavaScript objects created during each run are counted from the heap (bun:jsc
// heapStats counts every cell allocated since the last collection, dead or alive). Per-run
// objects (the run's message, a chunk's scratch) are allowed; per-query objects are not: 180 more
// queries must not mean more objects of any kind that data lives in.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { heapStats } from "bun:jsc";
import { join } from "node:path";
import { readBin } from "../../src/format/bin.ts";
import type { SearchParams } from "../../src/search/machine.ts";
import { allocSharedResults, type RunMessage } from "../../src/run/exec/pool-protocol.ts";
import { loadSharedIndex } from "../../src/run/exec/shared-index.ts";
import { WorkerEngine } from "../../src/run/exec/worker-engine.ts";
import { makeRunFixture, type RunFixture } from "./fixture.ts";

const SMALL = 20;
const LARGE = 200;
/** Cell kinds that hold data (code, structures and property tables come from the JIT tiering up). */
const DATA_KINDS = [
  "Object",
  "Array",
  "Function",
  "JSLexicalEnvironment",
  "string",
  "ArrayBuffer",
  "Error",
  "Float32Array",
  "Float64Array",
  "Int32Array",
  "Uint32Array",
  "Uint8Array",
  "Int8Array",
  "Uint16Array",
  "BigInt",
];

let fx: RunFixture;
let engine: WorkerEngine;
const results = allocSharedResults(LARGE, 10);
let params: { beam: SearchParams; pipe: SearchParams };

beforeAll(async () => {
  fx = await makeRunFixture({ n: 3000, queries: LARGE });
  const queries = readBin(join(fx.dataDir, "queries.fbin"), undefined, { shared: true });
  const loaded = await loadSharedIndex(
    fx.prefix,
    { backend: "auto", cacheNodes: 30, entryGraph: true, maxL: 64, maxWidth: 8 },
    (i) => ({
      beam: i.resolve({ k: 10, L: 40, mode: "beam", width: 4 }),
      pipe: i.resolve({ k: 10, L: 40, mode: "pipe", width: 4 }),
    }),
  );
  params = loaded.resolved;
  engine = new WorkerEngine({
    type: "init",
    worker: 0,
    cpu: null,
    index: loaded.parts,
    backend: "auto",
    queries: queries.data,
    dim: queries.dim,
    k: 10,
    maxL: 64,
    maxWidth: 8,
    maxConcurrency: 4,
    results,
  });
}, 120_000); // builds a small index: slow on a loaded machine
afterAll(() => {
  engine?.close();
  fx?.cleanup();
});

/** Objects of each data kind created while the engine searches `count` queries. */
function objectsDuring(mode: "beam" | "pipe", concurrency: number, count: number): Record<string, number> {
  const msg: RunMessage = {
    type: "run",
    run: 1,
    combos: [{ mode, params: params[mode] }],
    concurrency,
    wait: "block",
    count,
    chunk: count,
  };
  Atomics.store(results.counters, 0, 0); // as the pool does before a run
  Atomics.store(results.counters, 1, 0);
  Bun.gc(true);
  const before = heapStats().objectTypeCounts;
  const ran = engine.run(msg).queries;
  const after = heapStats().objectTypeCounts;
  expect(ran).toBe(count);
  const out: Record<string, number> = {};
  for (const kind of DATA_KINDS) out[kind] = (after[kind] ?? 0) - (before[kind] ?? 0);
  return out;
}

for (const [mode, concurrency] of [
  ["beam", 1],
  ["pipe", 1],
  ["beam", 4],
  ["pipe", 4],
] as const) {
  test(`${mode} at concurrency ${concurrency}: no object per query`, () => {
    // Warm up first, so the JIT's own allocations are done before counting.
    for (let i = 0; i < 2; i++) objectsDuring(mode, concurrency, LARGE);
    const small = objectsDuring(mode, concurrency, SMALL);
    const large = objectsDuring(mode, concurrency, LARGE);
    const extra = Object.fromEntries(
      DATA_KINDS.map((k) => [k, large[k]! - small[k]!]).filter(([, d]) => (d as number) > 2),
    );
    expect(extra).toEqual({});
  }, 120_000);
}

test("the count sees allocation (a control: one array per query would show)", () => {
  Bun.gc(true);
  const before = heapStats().objectTypeCounts;
  const keep: Float32Array[] = [];
  for (let q = 0; q < LARGE - SMALL; q++) keep.push(new Float32Array(4));
  const after = heapStats().objectTypeCounts;
  expect((after.Float32Array ?? 0) - (before.Float32Array ?? 0)).toBeGreaterThanOrEqual(LARGE - SMALL);
  expect(keep.length).toBe(LARGE - SMALL);
});
