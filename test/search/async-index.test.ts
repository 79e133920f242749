// index.query(): asynchronous queries interleaved on one ring — answers equal the synchronous
// search, the queue limit, deadlines, closing, and the event loop keeps turning while they run.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ConfigError, QueryRejectedError, RingannError } from "../../src/errors.ts";
import { SimReader } from "../../src/io/sim-reader.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { type TinyIndex, writeTinyIndex } from "./tiny-index.ts";

describe("DiskIndex.query (async)", () => {
  let t: TinyIndex;
  beforeAll(() => {
    t = writeTinyIndex({ n: 400, dim: 16, R: 12, M: 4, seed: 31, entryGraph: true });
  });
  afterAll(() => t.cleanup());

  const queries = (n: number, seed: number): Float32Array[] =>
    Array.from({ length: n }, (_, i) => t.randomQuery(seed + i));

  for (const waitMode of ["block", "yield"] as const) {
    test(`40 concurrent queries on real io_uring (${waitMode}): beam equals search(), pipe is exact at L = n`, async () => {
      const index = await DiskIndex.open(t.prefix, { maxL: t.n, concurrency: 3 });
      index.scheduler.waitMode = waitMode;
      const qs = queries(40, 500);
      const want = qs.map((q) => Array.from(index.search(q, { k: 10, L: 24, mode: "beam" }).ids).join(","));
      const got = await Promise.all(qs.map((q) => index.query(q, { k: 10, L: 24, mode: "beam" })));
      expect(got.map((r) => Array.from(r.ids).join(","))).toEqual(want);
      expect(got.every((r) => r.stats.reads > 0 && r.stats.hops > 0 && r.stats.latencyUs > 0)).toBe(true);
      expect(got.some((r) => r.queuedUs > 0)).toBe(true); // 40 > 3 machines: some waited
      const pipe = await Promise.all(qs.map((q) => index.query(q, { k: 10, L: t.n, mode: "pipe", width: 4 })));
      for (let i = 0; i < qs.length; i++) {
        const exact = t.exact(qs[i]!, 10);
        expect(Array.from(pipe[i]!.distances).map((d) => d.toFixed(3))).toEqual(exact.dists.map((d) => d.toFixed(3)));
      }
      expect(index.scheduler.running).toBe(0);
      expect(index.scheduler.queued).toBe(0);
      expect(index.reader.inFlight).toBe(0);
      index.close();
    });
  }

  test("out-of-order completions (SimReader): mixed beam and pipe queries all exact", async () => {
    const index = await DiskIndex.open(t.prefix, {
      maxL: t.n,
      concurrency: 2,
      openReader: (file, g) => new SimReader(t.diskBytes, { ...g, file, seed: 5, minDelayTicks: 1, maxDelayTicks: 9 }),
    });
    const qs = queries(20, 700);
    const rs = await Promise.all(
      qs.map((q, i) => index.query(q, { k: 5, L: t.n, mode: i % 2 === 0 ? "beam" : "pipe" })),
    );
    for (let i = 0; i < qs.length; i++) {
      expect(Array.from(rs[i]!.distances).map((d) => d.toFixed(3))).toEqual(
        t.exact(qs[i]!, 5).dists.map((d) => d.toFixed(3)),
      );
    }
    index.close();
  });

  test("the event loop turns while queries run", async () => {
    const index = await DiskIndex.open(t.prefix, { maxL: t.n, concurrency: 2 });
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    await Promise.all(queries(60, 900).map((q) => index.query(q, { k: 10, L: 100, mode: "pipe" })));
    running = false;
    expect(turns).toBeGreaterThan(5);
    expect(index.scheduler.slices).toBeGreaterThan(5);
    index.close();
  });

  test("a full queue rejects with queue-full; the others still answer", async () => {
    const index = await DiskIndex.open(t.prefix, { maxL: t.n, concurrency: 1 });
    index.scheduler.maxQueued = 2;
    const settled = await Promise.allSettled(queries(5, 100).map((q) => index.query(q, { k: 5, L: 30 })));
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected", "rejected"]);
    const reason = (settled[3] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(QueryRejectedError);
    expect(reason.code).toBe("E_QUEUE_FULL");
    index.close();
  });

  test("a deadline stops a query; its reads are released and the next answer is right", async () => {
    const index = await DiskIndex.open(t.prefix, { maxL: t.n, concurrency: 1 });
    const q = t.randomQuery(3);
    const err = await index.query(q, { k: 10, L: t.n, deadlineMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryRejectedError);
    expect((err as RingannError).code).toBe("E_DEADLINE");
    const r = await index.query(q, { k: 10, L: t.n, mode: "beam" });
    expect(Array.from(r.ids).join(",")).toBe(
      Array.from(index.search(q, { k: 10, L: t.n, mode: "beam" }).ids).join(","),
    );
    index.close();
  });

  test("bad options and a short vector reject with named errors", async () => {
    const index = await DiskIndex.open(t.prefix, { maxL: t.n });
    await expect(index.query(t.randomQuery(1), { k: 0 })).rejects.toBeInstanceOf(ConfigError);
    const short = await index.query(new Float32Array(3)).catch((e: unknown) => e);
    expect((short as RingannError).code).toBe("E_DIMENSION");
    index.close();
  });

  test("close() rejects running queries with E_CLOSED; drain() lets them finish", async () => {
    const index = await DiskIndex.open(t.prefix, { maxL: t.n, concurrency: 2 });
    const pending = queries(6, 40).map((q) => index.query(q, { k: 5, L: t.n }).catch((e: unknown) => e));
    index.close();
    const out = await Promise.all(pending);
    expect(out.every((e) => e instanceof QueryRejectedError && e.code === "E_CLOSED")).toBe(true);
    const again = await DiskIndex.open(t.prefix, { maxL: t.n, concurrency: 2 });
    const running = queries(6, 40).map((q) => again.query(q, { k: 5, L: t.n }));
    await again.scheduler.drain();
    expect((await Promise.all(running)).length).toBe(6);
    await expect(again.query(t.randomQuery(1))).rejects.toBeInstanceOf(QueryRejectedError);
    again.close();
  });
});
