// `ringann serve --dispatch handoff`: one listener hands k-NN queries to search Workers through
// shared memory (src/serve/ring-pool.ts, ring-worker.ts). Over real io_uring on a tiny exact index:
// answers equal the synchronous search, also for batches far larger than the Workers' slots (the
// listener's queue refills them); refusals (429, 504, 400) keep their statuses; a stop while queries
// run lets them finish; a filtered query still runs on the listener's own ring.
import { truncateSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { type ServeHandle, startServe } from "../../src/serve/serve.ts";
import { type ServeConfig, serveConfigFromJson } from "../../src/serve/serve-config.ts";
import { ServedIndex } from "../../src/serve/served-index.ts";
import { type ServedFixture, servedFixture } from "./fixture.ts";

let f: ServedFixture;
let h: ServeHandle;
const DIM = 16;
const want: string[] = [];

function config(extra: Partial<ServeConfig> = {}): ServeConfig {
  return {
    host: "127.0.0.1",
    port: 0,
    threads: 2,
    dispatch: "handoff",
    token: null,
    corsOrigins: [],
    maxBodyBytes: 1 << 20,
    indexes: [
      f.config("tiny", {
        concurrency: 2,
        max_queued: 300,
        defaults: { mode: "beam", L: 40 },
        limits: { max_L: 200, max_batch: 500 },
      }),
      // One machine per Worker and no queue: a batch of three finds no room for its third query.
      f.config("narrow", { concurrency: 1, max_queued: 0, defaults: { mode: "beam" } }),
      f.config("slow", {
        concurrency: 1,
        max_queued: 1000,
        defaults: { mode: "beam", L: 200 },
        limits: { max_L: 400, max_batch: 500 },
      }),
    ],
    ...extra,
  };
}

const row = (q: number): number[] => Array.from(f.queries.subarray(q * DIM, (q + 1) * DIM));
const post = (url: string, name: string, body: unknown): Promise<Response> =>
  fetch(`${url}/v1/indexes/${name}/search`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" },
  });
type Answer = { results: { ids: number[]; stats: Record<string, number> }[] };

beforeAll(async () => {
  f = servedFixture({ n: 400, dim: DIM });
  const index = await DiskIndex.open(f.t.prefix, { maxL: 200 });
  for (let q = 0; q < f.nq; q++)
    want.push(Array.from(index.search(f.queries, { k: 10, L: 40, mode: "beam" }, q * DIM).ids).join(","));
  index.close();
  h = await startServe(config());
});
afterAll(async () => {
  await h?.stop();
  f?.cleanup();
});

describe("ringann serve --dispatch handoff", () => {
  test("single queries, many at once, equal the synchronous search; metrics count them", async () => {
    const rs = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post(h.url, "tiny", { vector: row(i % f.nq), k: 10 }).then((r) => {
          expect(r.status).toBe(200);
          return r.json() as Promise<Answer>;
        }),
      ),
    );
    expect(rs.map((r) => r.results[0]!.ids.join(","))).toEqual(Array.from({ length: 60 }, (_, i) => want[i % f.nq]!));
    for (const key of ["latency_us", "queued_us", "reads", "hops", "io_occupancy"])
      expect(typeof rs[0]!.results[0]!.stats[key]).toBe("number");
    const m = await (await fetch(`${h.url}/metrics`)).text();
    expect(m).toMatch(/ringann_queries_total 60\n/);
    expect(m).toContain("ringann_threads 2");
    expect(m).toMatch(/ringann_queue_depth 0\n/);
    expect(m).toMatch(/ringann_queries_running 0\n/);
  }, 60_000);

  test("a batch of 400 (100× the Workers' slots) is answered in order, every answer exact", async () => {
    const vectors = Array.from({ length: 400 }, (_, i) => row(i % f.nq));
    const r = await post(h.url, "tiny", { vectors, k: 10 });
    expect(r.status).toBe(200);
    const j = (await r.json()) as Answer;
    expect(j.results.map((x) => x.ids.join(","))).toEqual(Array.from({ length: 400 }, (_, i) => want[i % f.nq]!));
    // Queries that waited for a slot say so.
    expect(Math.max(...j.results.map((x) => x.stats.queued_us!))).toBeGreaterThan(0);
  }, 60_000);

  test("refusals keep their statuses: full queue 429, deadline 504, bad dimension and k 400", async () => {
    const full = await post(h.url, "narrow", { vectors: [row(0), row(1), row(2), row(3), row(4)] });
    expect(full.status).toBe(429);
    expect(full.headers.get("retry-after")).toBe("1");
    const fe = (await full.json()) as { error: { code: string; path: string } };
    expect(fe.error.code).toBe("E_QUEUE_FULL");
    expect(fe.error.path).toMatch(/^vectors\[\d\]$/);

    const late = await post(h.url, "slow", {
      vectors: Array.from({ length: 300 }, (_, i) => row(i % f.nq)),
      L: 400,
      deadline_ms: 1,
    });
    expect(late.status).toBe(504);
    const le = (await late.json()) as { error: { code: string; message: string } };
    expect(le.error.code).toBe("E_DEADLINE");
    // The index is named as in URLs, never by its path on the server's disk.
    expect(le.error.message).toContain("Cannot query slow:");
    expect(le.error.message).not.toContain(f.t.prefix);

    const dim = await post(h.url, "tiny", { vector: row(0).slice(1) });
    expect(dim.status).toBe(400);
    const k = await post(h.url, "tiny", { vector: row(0), k: 1000 });
    expect(k.status).toBe(400);
    // The Workers still answer exactly after the refusals.
    const after = (await (await post(h.url, "tiny", { vector: row(5), k: 10 })).json()) as Answer;
    expect(after.results[0]!.ids.join(",")).toBe(want[5]!);
  }, 60_000);

  test("a range query runs on the listener's own ring beside the handed-off ones", async () => {
    const knn = (await (await post(h.url, "tiny", { vector: row(2), k: 10 })).json()) as Answer & {
      results: { distances: number[] }[];
    };
    const radius = knn.results[0]!.distances[4]! * 1.0001;
    const r = await post(h.url, "tiny", { vector: row(2), mode: "range", radius, L: 40 });
    expect(r.status).toBe(200);
    const j = (await r.json()) as { mode: string; results: { ids: number[] }[] };
    expect(j.mode).toBe("range");
    expect(j.results[0]!.ids.slice(0, 5).sort((a, b) => a - b)).toEqual(
      knn.results[0]!.ids.slice(0, 5).sort((a, b) => a - b),
    );
  }, 60_000);

  test("stop() while a batch runs: the batch is answered, then the Workers stop", async () => {
    const own = await startServe(config({ threads: 1 }));
    const pending = post(own.url, "slow", { vectors: Array.from({ length: 50 }, (_, i) => row(i % f.nq)), L: 200 });
    // Stop only once the batch is in (its queries show in the gauges).
    for (let i = 0; i < 500; i++) {
      const m = await (await fetch(`${own.url}/metrics`)).text();
      if (!/ringann_queries_running 0\n/.test(m)) break;
      await Bun.sleep(2);
    }
    const stopped = own.stop();
    const r = await pending;
    expect(r.status).toBe(200);
    expect(((await r.json()) as Answer).results.length).toBe(50);
    await stopped;
    await expect(fetch(`${own.url}/healthz`)).rejects.toThrow();
  }, 60_000);

  test("a config's dispatch is checked and named in the error; handoff is the default", () => {
    const entry = { indexes: [{ name: "tiny", index: f.t.prefix }] };
    expect(serveConfigFromJson(entry, "serve.json", "/").dispatch).toBe("handoff");
    expect(serveConfigFromJson({ ...entry, dispatch: "reuseport" }, "serve.json", "/").dispatch).toBe("reuseport");
    expect(() => serveConfigFromJson({ ...entry, dispatch: "fork" }, "serve.json", "/")).toThrow(/dispatch/);
  });

  test("a read that fails in a search Worker comes back as that query's error (500 with its code)", async () => {
    const g = servedFixture({ n: 400, dim: DIM, seed: 3 });
    const own = await startServe({
      ...config({ threads: 1 }),
      indexes: [g.config("cut", { defaults: { mode: "beam" } })],
    });
    try {
      const ok = await post(own.url, "cut", { vector: row(0), k: 10 });
      expect(ok.status).toBe(200);
      truncateSync(`${g.t.prefix}_disk.index`, 4096); // only the metadata sector is left
      const bad = await post(own.url, "cut", { vector: row(1), k: 10 });
      expect(bad.status).toBe(500);
      const e = (await bad.json()) as { error: { code: string; message: string; path: string } };
      expect(e.error.code).toBe("E_SHORT_READ");
      expect(e.error.path).toBe("vector");
      expect(e.error.message).not.toContain(g.t.prefix);
    } finally {
      await own.stop();
      g.cleanup();
    }
  }, 60_000);

  test("the listener and its search Workers hold one copy of the PQ codes (shared memory)", async () => {
    const served = await ServedIndex.open(f.config("shared", { defaults: { mode: "beam", L: 40 } }), undefined, 2);
    try {
      expect(served.index.files.codes.buffer).toBeInstanceOf(SharedArrayBuffer);
      const r = await served.engine.query(f.queries, { k: 10, L: 40, mode: "beam" }, 3 * DIM);
      expect(Array.from(r.ids).join(",")).toBe(want[3]!);
    } finally {
      await served.drainAndClose();
    }
    // Without search Workers the index keeps its own codes, as before.
    const alone = await ServedIndex.open(f.config("alone"), undefined, 0);
    expect(alone.index.files.codes.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    await alone.drainAndClose();
  }, 60_000);
});
