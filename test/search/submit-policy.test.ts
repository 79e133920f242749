// The submission policies on real io_uring with O_DIRECT (the PipeANN fixture): both reach the same
// recall; "batch" sends reads with the next wait, so it makes fewer io_uring_enter calls per read;
// the per-query count (QueryStats.ioCalls) matches the reader's own counter; queries sharing a ring
// share its calls.
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { recallAtK } from "../../src/data/recall.ts";
import { readBin } from "../../src/format/bin.ts";
import { readTruth } from "../../src/format/truth.ts";
import { IoCounter } from "../../src/io/reader.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";

const DIR = join(import.meta.dir, "../fixtures/pipeann-syn10k");
const NQ = 60;
let queries: Float32Array;
let dim: number;

beforeAll(() => {
  const q = readBin(join(DIR, "query.fbin"));
  queries = q.data as Float32Array;
  dim = q.dim;
});

async function run(
  submit: "eager" | "batch",
  mode: "beam" | "pipe",
): Promise<{ recall: number; callsPerRead: number; own: number }> {
  const index = await DiskIndex.open(join(DIR, "syn10k"), { backend: "uring", submit });
  try {
    expect(index.submitPolicy).toBe(submit);
    const truth = readTruth(join(DIR, "gt100.bin"));
    const p = index.resolve({ mode, L: 50, k: 10, width: 8 });
    const ids = new Uint32Array(NQ * 10);
    const dists = new Float32Array(NQ * 10);
    let calls = 0;
    let reads = 0;
    const c0 = index.reader.counters[IoCounter.Calls]!;
    for (let q = 0; q < NQ; q++) {
      index.searchInto(queries, q * dim, p, ids, dists, q * 10);
      const s = index.machineFor(mode).stats;
      calls += s.ioCalls;
      reads += s.reads;
      index.driver.drain();
    }
    const own = index.reader.counters[IoCounter.Calls]! - c0;
    return {
      recall: recallAtK({ nq: NQ, stride: 10, ids, dists }, truth, 10),
      callsPerRead: calls / reads,
      own: own / reads,
    };
  } finally {
    index.close();
  }
}

describe("submission policy", () => {
  test("pipe: batch and eager reach the same recall; batch makes fewer system calls per read", async () => {
    const eager = await run("eager", "pipe");
    const batch = await run("batch", "pipe");
    expect(eager.recall).toBeGreaterThan(0.95);
    expect(Math.abs(batch.recall - eager.recall)).toBeLessThan(0.02);
    expect(eager.callsPerRead).toBeGreaterThan(0.8); // about one submission per read, plus waits
    expect(batch.callsPerRead).toBeLessThan(0.75 * eager.callsPerRead);
    // Per-query counts cover the reader's calls, except the drains of abandoned reads between queries.
    expect(batch.callsPerRead).toBeLessThanOrEqual(batch.own + 1e-9);
    expect(batch.own - batch.callsPerRead).toBeLessThan(0.1);
  });

  test("beam: one system call per round under either policy", async () => {
    for (const submit of ["eager", "batch"] as const) {
      const r = await run(submit, "beam");
      expect(r.recall).toBeGreaterThan(0.95);
      expect(r.callsPerRead).toBeLessThan(0.2); // W = 8: 1/8 per read, more only on EINTR
    }
  });

  test("queries sharing a ring share its system calls", async () => {
    const index = await DiskIndex.open(join(DIR, "syn10k"), { backend: "uring", submit: "batch", concurrency: 4 });
    try {
      const p = index.resolve({ mode: "pipe", L: 50, k: 10, width: 8 });
      let calls = 0;
      let reads = 0;
      const c0 = index.reader.counters[IoCounter.Calls]!;
      index.driver.runInterleaved(index.machinesFor("pipe"), queries, dim, NQ, p, (_q, m) => {
        calls += m.stats.ioCalls;
        reads += m.stats.reads;
      });
      const own = index.reader.counters[IoCounter.Calls]! - c0;
      expect(Math.abs(calls - own)).toBeLessThan(1e-6 * own + 1e-6);
      expect(own / reads).toBeLessThan(0.3); // four queries' reads ride on each call
    } finally {
      index.close();
    }
  });

  test("an unknown policy is refused with the option named", async () => {
    await expect(DiskIndex.open(join(DIR, "syn10k"), { submit: "lazy" as "batch" })).rejects.toThrow(/submit/);
  });
});
