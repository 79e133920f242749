// `ringann serve` in-process on a tiny exact index over real io_uring: endpoints, answers equal the
// synchronous search, every bad input gets its status and {error: {code, message, path}} while a
// load of good requests runs — and the good answers stay unchanged — auth, CORS, metrics, threads.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { type ServeHandle, startServe } from "../../src/serve/serve.ts";
import type { ServeConfig } from "../../src/serve/serve-config.ts";
import { type ServedFixture, servedFixture } from "./fixture.ts";

let f: ServedFixture;
let h: ServeHandle;
const DIM = 16;
/** The synchronous answers (beam is deterministic) for each fixture query. */
const want: string[] = [];

function config(extra: Partial<ServeConfig> = {}): ServeConfig {
  return {
    host: "127.0.0.1",
    port: 0,
    threads: 1,
    // The default dispatch (one listener, a search Worker); the reusePort threads are tested below.
    dispatch: "handoff",
    token: null,
    corsOrigins: [],
    maxBodyBytes: 64 * 1024,
    indexes: [
      f.config("tiny", { defaults: { mode: "beam", L: 40 }, limits: { max_L: 200, max_batch: 64, deadline_ms: 5000 } }),
      // One machine and no queue: the second query of a batch finds the queue full.
      f.config("narrow", { concurrency: 1, max_queued: 0, defaults: { mode: "beam" } }),
      // One machine, a long queue: a batch with a 1 ms deadline runs out of time.
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

const post = (
  path: string,
  body: string | Uint8Array,
  type = "application/json",
  headers: Record<string, string> = {},
): Promise<Response> =>
  fetch(`${h.url}${path}`, { method: "POST", body, headers: { "Content-Type": type, ...headers } });

beforeAll(async () => {
  f = servedFixture({ n: 400, dim: DIM, words: true });
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

const row = (q: number): number[] => Array.from(f.queries.subarray(q * DIM, (q + 1) * DIM));

describe("ringann serve", () => {
  test("binds 127.0.0.1; healthz, index listing with the dimension, the page", async () => {
    expect(h.url.startsWith("http://127.0.0.1:")).toBe(true);
    expect(await (await fetch(`${h.url}/healthz`)).json()).toEqual({ ok: true });
    const list = (await (await fetch(`${h.url}/v1/indexes`)).json()) as {
      indexes: { name: string; dim: number; dataset: { kind: string } }[];
    };
    expect(list.indexes.map((i) => i.name)).toEqual(["tiny", "narrow", "slow"]);
    expect(list.indexes[0]!.dim).toBe(DIM);
    expect(list.indexes[0]!.dataset.kind).toBe("words");
    const page = await fetch(`${h.url}/`);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("Random query");
  });

  test("JSON single, JSON batch and float32 binary answers equal the synchronous search", async () => {
    const one = await post("/v1/indexes/tiny/search", JSON.stringify({ vector: row(3), k: 10 }));
    expect(one.status).toBe(200);
    expect(one.headers.get("x-ringann-dim")).toBe(String(DIM));
    const j = (await one.json()) as {
      dim: number;
      results: { ids: number[]; distances: number[]; stats: Record<string, number> }[];
    };
    expect(j.dim).toBe(DIM);
    expect(j.results[0]!.ids.join(",")).toBe(want[3]!);
    for (const key of ["latency_us", "queued_us", "reads", "hops", "io_occupancy"])
      expect(typeof j.results[0]!.stats[key]).toBe("number");
    const batch = (await (
      await post("/v1/indexes/tiny/search", JSON.stringify({ vectors: [row(0), row(1), row(2)] }))
    ).json()) as { results: { ids: number[] }[] };
    expect(batch.results.map((r) => r.ids.join(","))).toEqual(want.slice(0, 3));
    const bin = new Uint8Array(f.queries.buffer.slice(0, 4 * DIM * 4)); // rows 0..3, little-endian float32 on x86
    const b = await post("/v1/indexes/tiny/search?k=10&L=40", bin, "application/octet-stream");
    expect(b.status).toBe(200);
    expect(((await b.json()) as { results: { ids: number[] }[] }).results.map((r) => r.ids.join(","))).toEqual(
      want.slice(0, 4),
    );
  });

  test("the dataset endpoints: a query row, a word's vector, words with a prefix, base words of the answer", async () => {
    const q = (await (await fetch(`${h.url}/v1/indexes/tiny/queries/2`)).json()) as { vector: number[]; word: string };
    expect(q.word).toBe("q2y");
    expect(q.vector.map((v) => v.toFixed(4))).toEqual(row(2).map((v) => v.toFixed(4)));
    const w = (await (await fetch(`${h.url}/v1/indexes/tiny/words/w17x`)).json()) as {
      vector: number[];
      inBase: boolean;
    };
    expect(w.inBase).toBe(true);
    const r = (await (
      await post("/v1/indexes/tiny/search", JSON.stringify({ vector: w.vector, k: 3, L: 200, include: ["words"] }))
    ).json()) as { results: { ids: number[]; words: string[] }[] };
    expect(r.results[0]!.ids[0]).toBe(17); // a base vector's nearest neighbour is itself
    expect(r.results[0]!.words[0]).toBe("w17x");
    expect(
      ((await (await fetch(`${h.url}/v1/indexes/tiny/words?prefix=w39`)).json()) as { words: string[] }).words,
    ).toContain("w399x");
    expect((await fetch(`${h.url}/v1/indexes/tiny/words/nosuchword`)).status).toBe(404);
  });

  test("bad input while a load runs: each gets its status and error; good answers unchanged", async () => {
    // The load: 4 clients sending good queries until the bad ones are done.
    let stop = false;
    const mismatches: string[] = [];
    let good = 0;
    const client = async (c: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const q = (c * 7 + i) % f.nq;
        const res = await post("/v1/indexes/tiny/search", JSON.stringify({ vector: row(q), k: 10 }));
        const j = (await res.json()) as { results: { ids: number[] }[] };
        if (res.status !== 200 || j.results[0]!.ids.join(",") !== want[q]) mismatches.push(`${res.status} q${q}`);
        good++;
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(client));
    const nan = new Float32Array(DIM);
    nan[5] = NaN;
    const big = JSON.stringify({ vector: row(0), pad: "x".repeat(70 * 1024) });
    const cases: [string, () => Promise<Response>, number, string, string][] = [
      [
        "wrong dimension",
        () => post("/v1/indexes/tiny/search", JSON.stringify({ vector: [1, 2, 3] })),
        400,
        "E_DIMENSION",
        "vector",
      ],
      [
        "NaN (binary)",
        () => post("/v1/indexes/tiny/search", new Uint8Array(nan.buffer), "application/octet-stream"),
        400,
        "E_NOT_FINITE",
        "(body) row 0[5]",
      ],
      [
        "Infinity (1e999)",
        () =>
          post(
            "/v1/indexes/tiny/search",
            JSON.stringify({ vector: row(0) }).replace(/^\{"vector":\[[^,]+/, '{"vector":[1e999'),
          ),
        400,
        "E_NOT_FINITE",
        "vector[0]",
      ],
      [
        "float32 overflow",
        () => post("/v1/indexes/tiny/search", JSON.stringify({ vectors: [row(0), [...row(1).slice(0, 15), 1e39]] })),
        400,
        "E_NOT_FINITE",
        "vectors[1][15]",
      ],
      [
        "non-number",
        () =>
          post("/v1/indexes/tiny/search", JSON.stringify({ vector: [...row(0).slice(0, 4), "7", ...row(0).slice(5)] })),
        400,
        "E_TYPE",
        "vector[4]",
      ],
      ["k = 0", () => post("/v1/indexes/tiny/search", JSON.stringify({ vector: row(0), k: 0 })), 400, "E_RANGE", "k"],
      [
        "L over max",
        () => post("/v1/indexes/tiny/search", JSON.stringify({ vector: row(0), L: 201 })),
        400,
        "E_RANGE",
        "L",
      ],
      [
        "L below k",
        () => post("/v1/indexes/tiny/search", JSON.stringify({ vector: row(0), k: 20, L: 10 })),
        400,
        "E_RANGE",
        "L",
      ],
      [
        "L over max (binary)",
        () =>
          post(
            "/v1/indexes/tiny/search?L=9999",
            new Uint8Array(f.queries.buffer.slice(0, DIM * 4)),
            "application/octet-stream",
          ),
        400,
        "E_RANGE",
        "?L",
      ],
      [
        "unknown field",
        () => post("/v1/indexes/tiny/search", JSON.stringify({ vector: row(0), kk: 3 })),
        400,
        "E_FIELD",
        "kk",
      ],
      [
        "unknown index",
        () => post("/v1/indexes/nope/search", JSON.stringify({ vector: row(0) })),
        404,
        "E_UNKNOWN_INDEX",
        "(url)",
      ],
      ["malformed JSON", () => post("/v1/indexes/tiny/search", '{"vector": [1, 2,'), 400, "E_JSON", "(body)"],
      ["body over limit", () => post("/v1/indexes/tiny/search", big), 413, "E_BODY_TOO_LARGE", "(body)"],
      [
        "body over limit (chunked, no length)",
        () =>
          fetch(`${h.url}/v1/indexes/tiny/search`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: new ReadableStream({
              start(c) {
                for (let i = 0; i < 8; i++) c.enqueue(new TextEncoder().encode("x".repeat(10_000)));
                c.close();
              },
            }),
          }),
        413,
        "E_BODY_TOO_LARGE",
        "(body)",
      ],
      [
        "too many vectors",
        () => post("/v1/indexes/tiny/search", JSON.stringify({ vectors: Array.from({ length: 65 }, () => row(0)) })),
        413,
        "E_TOO_MANY",
        "vectors",
      ],
      [
        "full queue",
        () => post("/v1/indexes/narrow/search", JSON.stringify({ vectors: [row(0), row(1), row(2)] })),
        429,
        "E_QUEUE_FULL",
        "vectors[1]",
      ],
      [
        "deadline",
        () =>
          post(
            "/v1/indexes/slow/search",
            JSON.stringify({ vectors: Array.from({ length: 150 }, (_, i) => row(i % f.nq)), deadline_ms: 1 }),
          ),
        504,
        "E_DEADLINE",
        "",
      ],
      ["wrong method", () => fetch(`${h.url}/v1/indexes/tiny/search`), 405, "E_METHOD", "(method)"],
    ];
    const seen: string[] = [];
    try {
      for (const [name, send, status, code, path] of cases) {
        const res = await send();
        const body = (await res.json()) as { error: { code: string; message: string; path: string } };
        seen.push(`${name}: ${res.status} ${body.error?.code}`);
        expect(`${name}: ${res.status} ${body.error?.code}`).toBe(`${name}: ${status} ${code}`);
        expect(body.error.message.length).toBeGreaterThan(10);
        if (path !== "") expect(body.error.path).toBe(path);
        else expect(body.error.path).toMatch(/^vectors\[\d+\]$/);
        if (status === 429) expect(res.headers.get("retry-after")).toBe("1");
      }
    } finally {
      stop = true;
      await load;
    }
    expect(mismatches).toEqual([]);
    expect(good).toBeGreaterThan(cases.length);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/ringann_http_requests_total\{code="429"\} 1/);
    expect(metrics).toMatch(/ringann_http_requests_total\{code="504"\} 1/);
    expect(metrics).toMatch(/ringann_http_requests_total\{code="400"\} \d+/);
    expect(metrics).toContain('ringann_search_request_duration_seconds_bucket{le="+Inf"}');
    expect(metrics).toContain("ringann_queue_depth 0");
    expect(metrics).toMatch(/ringann_query_reads_sum [1-9]/);
  }, 60_000);

  test("a token guards everything but /healthz and the page; no CORS unless configured", async () => {
    const secured = await startServe(config({ token: "s3cret" }));
    try {
      expect((await fetch(`${secured.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${secured.url}/`)).status).toBe(200);
      const no = await fetch(`${secured.url}/v1/indexes`);
      expect(no.status).toBe(401);
      expect(((await no.json()) as { error: { code: string } }).error.code).toBe("E_UNAUTHORIZED");
      expect((await fetch(`${secured.url}/v1/indexes`, { headers: { Authorization: "Bearer wrong!" } })).status).toBe(
        401,
      );
      expect((await fetch(`${secured.url}/metrics`)).status).toBe(401);
      const yes = await fetch(`${secured.url}/v1/indexes`, {
        headers: { Authorization: "Bearer s3cret", Origin: "http://evil.example" },
      });
      expect(yes.status).toBe(200);
      expect(yes.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await secured.stop();
    }
    const open = await startServe(config({ corsOrigins: ["http://app.example"] }));
    try {
      const ok = await fetch(`${open.url}/v1/indexes`, { headers: { Origin: "http://app.example" } });
      expect(ok.headers.get("access-control-allow-origin")).toBe("http://app.example");
      const other = await fetch(`${open.url}/v1/indexes`, { headers: { Origin: "http://evil.example" } });
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
      const pre = await fetch(`${open.url}/v1/indexes/tiny/search`, {
        method: "OPTIONS",
        headers: { Origin: "http://app.example" },
      });
      expect(pre.status).toBe(204);
    } finally {
      await open.stop();
    }
  });

  test("two threads (reusePort Workers, one ring each) give the same answers; metrics count both", async () => {
    const two = await startServe(config({ threads: 2, dispatch: "reuseport" }));
    try {
      const rs = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          post2(two.url, JSON.stringify({ vector: row(i % f.nq), k: 10 })).then(
            (r) => r.json() as Promise<{ results: { ids: number[] }[] }>,
          ),
        ),
      );
      expect(rs.map((r) => r.results[0]!.ids.join(","))).toEqual(Array.from({ length: 40 }, (_, i) => want[i % f.nq]!));
      const m = await (await fetch(`${two.url}/metrics`)).text();
      expect(m).toContain("ringann_threads 2");
      expect(m).toMatch(/ringann_queries_total 40\n/);
    } finally {
      await two.stop();
    }
  }, 60_000);
});

function post2(url: string, body: string): Promise<Response> {
  return fetch(`${url}/v1/indexes/tiny/search`, {
    method: "POST",
    body,
    headers: { "Content-Type": "application/json" },
  });
}
