// The load generator's HTTP client (src/serve/http-pool.ts) against real servers on 127.0.0.1:
// Content-Length and chunked answers, `Connection: close`, statuses passed through, more requests than
// connections (queued, every one answered), a connection cut mid-answer (a network failure, the pool
// goes on); and runLoad with both clients against a live `ringann serve`, where every answer is checked.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Server, type Socket, type TCPSocketListener } from "bun";
import { HttpPool, buildPost, dechunk } from "../../src/serve/http-pool.ts";
import { answerOk, runLoad } from "../../src/serve/load-generator.ts";
import { type ServeHandle, startServe } from "../../src/serve/serve.ts";
import { type ServedFixture, servedFixture } from "./fixture.ts";

let plain: Server<undefined>;
let f: ServedFixture;
let served: ServeHandle;
const DIM = 16;

beforeAll(async () => {
  plain = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const body = await req.text();
      if (path === "/echo") return new Response(`echo:${body}`);
      if (path === "/chunked") {
        const parts = ["al", "pha", "-", "omega"];
        return new Response(
          new ReadableStream({
            async pull(c) {
              const p = parts.shift();
              if (p === undefined) c.close();
              else {
                await new Promise((r) => setTimeout(r, 2));
                c.enqueue(new TextEncoder().encode(p));
              }
            },
          }),
        );
      }
      if (path.endsWith("/search")) return Response.json({ ok: true }); // a 200 that is no search answer
      if (path === "/close") return new Response("bye", { headers: { Connection: "close" } });
      if (path === "/slow") {
        await new Promise((r) => setTimeout(r, 20));
        return new Response(body);
      }
      return new Response("nothing here", { status: 404 });
    },
  });
  f = servedFixture({ n: 300, dim: DIM });
  served = await startServe({
    host: "127.0.0.1",
    port: 0,
    threads: 1,
    dispatch: "reuseport",
    token: null,
    corsOrigins: [],
    maxBodyBytes: 1 << 20,
    indexes: [f.config("tiny", { dataset: f.datasetDir })],
  });
});

afterAll(async () => {
  plain?.stop(true);
  await served?.stop();
  f?.cleanup();
});

const ask = (pool: HttpPool, bytes: Uint8Array): Promise<{ status: number; text: string | null }> =>
  new Promise((resolve) =>
    pool.request(bytes, (status, body) =>
      resolve({ status, text: body === null ? null : new TextDecoder().decode(body) }),
    ),
  );

test("answers with Content-Length, chunked framing and Connection: close; statuses pass through", async () => {
  const host = `127.0.0.1:${plain.port}`;
  const pool = new HttpPool("127.0.0.1", plain.port!, 4);
  const post = (path: string, body: string): Uint8Array =>
    buildPost(host, path, { "Content-Type": "text/plain" }, body);
  expect(await ask(pool, post("/echo", "x".repeat(10_000)))).toEqual({
    status: 200,
    text: `echo:${"x".repeat(10_000)}`,
  });
  expect(await ask(pool, post("/chunked", ""))).toEqual({ status: 200, text: "alpha-omega" });
  expect(await ask(pool, post("/close", ""))).toEqual({ status: 200, text: "bye" });
  expect(pool.connections).toBe(0); // the server said close: the connection is gone, not reused
  expect(await ask(pool, post("/missing", "?"))).toEqual({ status: 404, text: "nothing here" });
  // Keep-alive: the same connection answers again.
  expect(await ask(pool, post("/echo", "again"))).toEqual({ status: 200, text: "echo:again" });
  expect(pool.connections).toBe(1);
  pool.close();
});

test("more requests than connections wait their turn; each gets its own answer", async () => {
  const pool = new HttpPool("127.0.0.1", plain.port!, 3);
  const host = `127.0.0.1:${plain.port}`;
  const answers = await Promise.all(
    Array.from({ length: 25 }, (_, i) => ask(pool, buildPost(host, "/slow", {}, `request ${i}`))),
  );
  expect(answers).toEqual(Array.from({ length: 25 }, (_, i) => ({ status: 200, text: `request ${i}` })));
  expect(pool.connections).toBeLessThanOrEqual(3);
  pool.close();
});

test("a connection cut mid-answer fails only its request; a refused connection fails too", async () => {
  let count = 0;
  const listener: TCPSocketListener<undefined> = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(s: Socket<undefined>) {
        count++;
        // The first request gets half an answer and a closed socket; later ones a whole answer.
        if (count === 1) s.end("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part");
        else s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      },
    },
  });
  const pool = new HttpPool("127.0.0.1", listener.port, 1);
  const req = buildPost(`127.0.0.1:${listener.port}`, "/", {}, "q");
  expect(await ask(pool, req)).toEqual({ status: 0, text: null });
  expect(await ask(pool, req)).toEqual({ status: 200, text: "ok" });
  pool.close();
  listener.stop(true);
  const refused = new HttpPool("127.0.0.1", listener.port, 1);
  expect(await ask(refused, req)).toEqual({ status: 0, text: null });
});

test("dechunk waits for the last chunk and joins the parts", () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  expect(dechunk(enc("3\r\nabc\r\n"))).toBeNull();
  expect(dechunk(enc("3\r\nabc\r\n0\r\n"))).toBeNull();
  expect(new TextDecoder().decode(dechunk(enc("3\r\nabc\r\na;x=1\r\n0123456789\r\n0\r\n\r\n"))!)).toBe("abc0123456789");
});

test("answerOk accepts a search answer and refuses anything else", () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  expect(answerOk(enc(JSON.stringify({ results: [{ ids: [1, 2], distances: [0, 1] }] })))).toBe(true);
  expect(answerOk(enc(JSON.stringify({ results: [] })))).toBe(false);
  expect(answerOk(enc(JSON.stringify({ results: [{ distances: [0] }] })))).toBe(false);
  expect(answerOk(enc('{"results": [{"ids": [1]'))).toBe(false);
  expect(answerOk(enc("ok"))).toBe(false);
});

for (const client of ["raw", "fetch"] as const) {
  test(`runLoad (${client}) against a live server: every request answered and checked, no errors`, async () => {
    const bodies = Array.from({ length: 10 }, (_, q) =>
      JSON.stringify({ vector: Array.from(f.queries.subarray(q * DIM, (q + 1) * DIM)), k: 5, L: 20 }),
    );
    const r = await runLoad({
      url: served.url,
      index: "tiny",
      rate: 200,
      durationS: 1,
      bodies,
      contentType: "application/json",
      search: "",
      token: null,
      maxOutstanding: 1000,
      client,
    });
    expect(r.sent).toBe(200);
    expect(r.errors).toEqual({});
    expect(r.ok).toBe(200);
    expect(r.p50Ms).toBeGreaterThan(0);
  }, 30_000);
}

test("runLoad counts a 200 whose body is not a search answer as bad-answer", async () => {
  const r = await runLoad({
    url: `http://127.0.0.1:${plain.port}`,
    index: "x",
    rate: 50,
    durationS: 0.2,
    bodies: ["{}"],
    contentType: "application/json",
    search: "",
    token: null,
    maxOutstanding: 100,
  });
  expect(r.ok).toBe(0);
  expect(r.errors).toEqual({ "bad-answer": 10 });
});
