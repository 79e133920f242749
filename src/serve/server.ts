// The HTTP side of `ringann serve` on one thread: Bun.serve with its own indexes (own rings).
//   POST /v1/indexes/{name}/search    JSON {vector | vectors, k, L, mode, width, deadline_ms, include}
//                                     or application/octet-stream float32 rows (knobs in the URL query)
//   GET  /v1/indexes, /v1/indexes/{name}, /v1/indexes/{name}/queries/random|{row}, /v1/indexes/{name}/words/{w}
//   GET  /healthz (never needs the token), GET /metrics (Prometheus text), GET / (the search page)
// Every error is JSON {error: {code, message, path}} with 400/401/404/405/413/429/503/504; a JSON body
// is read whatever its content type (curl -d sends form-urlencoded), only octet-stream is binary. With a token,
// every endpoint but /healthz and the page wants `Authorization: Bearer <token>`. CORS headers only for
// configured origins. stop(): no new connections, in-flight requests finish, rings drain, files close.
import { timingSafeEqual } from "node:crypto";
import type { Server } from "bun";
import { HttpError, errorResponse } from "./http-error.ts";
import type { ServeMetrics } from "./metrics.ts";
import { SEARCH_PAGE_HTML } from "./page.ts";
import { parseBinarySearch, parseJsonSearch } from "./search-request.ts";
import type { ServedIndex } from "./served-index.ts";

const utf8 = new TextDecoder();

export interface ServerOptions {
  host: string;
  port: number;
  /** Several threads listen on one port (SO_REUSEPORT); the kernel spreads connections. */
  reusePort: boolean;
  token: string | null;
  corsOrigins: readonly string[];
  maxBodyBytes: number;
  /** This thread's number (its gauge cells in the shared metrics). */
  thread: number;
}

export interface RunningServer {
  readonly server: Server<undefined>;
  readonly url: string;
  /** Graceful: stop accepting, finish in-flight requests, drain the rings, close the files. */
  stop(): Promise<void>;
}

export function startServer(
  indexes: readonly ServedIndex[],
  metrics: ServeMetrics,
  opts: ServerOptions,
): RunningServer {
  const byName = new Map(indexes.map((ix) => [ix.name, ix]));
  const token = opts.token === null ? null : Buffer.from(opts.token);
  let inFlight = 0;
  const gauges = (): void => {
    let queued = 0;
    let running = 0;
    for (const ix of indexes) {
      queued += ix.engine.queued;
      running += ix.engine.running;
    }
    metrics.setGauges(opts.thread, inFlight, queued, running);
  };

  const authorized = (req: Request): boolean => {
    if (token === null) return true;
    const h = req.headers.get("authorization") ?? "";
    if (!h.startsWith("Bearer ")) return false;
    const given = Buffer.from(h.slice(7));
    return given.length === token.length && timingSafeEqual(given, token);
  };

  const cors = (req: Request): Record<string, string> => {
    const origin = req.headers.get("origin");
    if (origin === null || opts.corsOrigins.length === 0) return {};
    if (!opts.corsOrigins.includes("*") && !opts.corsOrigins.includes(origin)) return {};
    return { "Access-Control-Allow-Origin": opts.corsOrigins.includes("*") ? "*" : origin, Vary: "Origin" };
  };

  const find = (name: string): ServedIndex => {
    const ix = byName.get(decodeURIComponent(name));
    if (ix === undefined)
      throw new HttpError(
        404,
        "E_UNKNOWN_INDEX",
        `No index named '${name}'; known: ${[...byName.keys()].join(", ")}`,
        "(url)",
      );
    return ix;
  };

  const tooLarge = (declared: number): HttpError =>
    new HttpError(
      413,
      "E_BODY_TOO_LARGE",
      `The body has ${declared} bytes; the limit is ${opts.maxBodyBytes}`,
      "(body)",
    );

  // A declared length within the limit: the body arrives whole from Bun's side in one call (the
  // stream's per-chunk promises cost ~10% of a search request's JS time). Chunked bodies carry no
  // length: read the stream until the limit, then refuse without reading the rest.
  const readBody = async (req: Request): Promise<Uint8Array> => {
    const length = req.headers.get("content-length");
    if (length !== null) {
      const declared = Number(length);
      if (declared > opts.maxBodyBytes) throw tooLarge(declared);
      if (Number.isInteger(declared) && declared >= 0) return req.bytes();
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (req.body !== null) {
      for await (const chunk of req.body) {
        total += chunk.length;
        if (total > opts.maxBodyBytes) {
          throw new HttpError(
            413,
            "E_BODY_TOO_LARGE",
            `The body has more than ${opts.maxBodyBytes} bytes, the limit`,
            "(body)",
          );
        }
        chunks.push(chunk);
      }
    }
    if (chunks.length === 1) return chunks[0]!;
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    return bytes;
  };

  const search = async (ix: ServedIndex, req: Request, url: URL): Promise<Response> => {
    const body = await readBody(req);
    const type = (req.headers.get("content-type") ?? "application/json").split(";")[0]!.trim().toLowerCase();
    const { defaults, limits } = ix.config;
    // Anything but octet-stream is read as JSON (curl -d sends form-urlencoded); bad JSON gets E_JSON.
    const parsed =
      type === "application/octet-stream"
        ? parseBinarySearch(body, url.searchParams, ix.dim, defaults, limits)
        : parseJsonSearch(utf8.decode(body), ix.dim, defaults, limits);
    return Response.json(await ix.search(parsed, metrics), { headers: { "X-Ringann-Dim": String(ix.dim) } });
  };

  const route = async (req: Request, url: URL): Promise<Response> => {
    const path = url.pathname;
    const method = req.method;
    if (method === "OPTIONS") {
      const allow = cors(req);
      if (allow["Access-Control-Allow-Origin"] === undefined)
        throw new HttpError(405, "E_METHOD", "CORS is not enabled for this origin", "(method)");
      return new Response(null, {
        status: 204,
        headers: {
          "Access-Control-Allow-Methods": "GET, POST",
          "Access-Control-Allow-Headers": "Authorization, Content-Type",
          "Access-Control-Max-Age": "600",
        },
      });
    }
    if (path === "/healthz") return Response.json({ ok: true });
    if (path === "/" || path === "/index.html") {
      if (method !== "GET") throw new HttpError(405, "E_METHOD", `Use GET on ${path}`, "(method)");
      return new Response(SEARCH_PAGE_HTML, {
        headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache" },
      });
    }
    if (!authorized(req)) {
      throw new HttpError(
        401,
        "E_UNAUTHORIZED",
        "This server needs 'Authorization: Bearer <token>'",
        "(header authorization)",
        { "WWW-Authenticate": "Bearer" },
      );
    }
    if (path === "/metrics")
      return new Response(metrics.render(), { headers: { "Content-Type": "text/plain; version=0.0.4" } });
    const parts = path.split("/").filter((p) => p !== "");
    if (parts[0] !== "v1" || parts[1] !== "indexes")
      throw new HttpError(404, "E_NOT_FOUND", `No endpoint ${path}`, "(url)");
    if (parts.length === 2) {
      if (method !== "GET") throw new HttpError(405, "E_METHOD", "Use GET on /v1/indexes", "(method)");
      return Response.json({ indexes: indexes.map((ix) => ix.describe()) });
    }
    const ix = find(parts[2]!);
    const dimHeader = { "X-Ringann-Dim": String(ix.dim) };
    const rest = parts.slice(3);
    if (rest.length === 0) return Response.json(ix.describe(), { headers: dimHeader });
    if (rest[0] === "search" && rest.length === 1) {
      if (method !== "POST") throw new HttpError(405, "E_METHOD", "Use POST on .../search", "(method)");
      return search(ix, req, url);
    }
    if (method !== "GET") throw new HttpError(405, "E_METHOD", `Use GET on ${path}`, "(method)");
    const ds = ix.dataset;
    if (ds === null)
      throw new HttpError(
        404,
        "E_NO_DATASET",
        `Index '${ix.name}' was served without a dataset (--dataset DIR)`,
        "(url)",
      );
    if (rest[0] === "queries" && rest.length === 2) {
      if (rest[1] === "random") return Response.json({ dim: ix.dim, ...ds.randomQuery() }, { headers: dimHeader });
      const row = Number(rest[1]);
      if (!Number.isInteger(row) || row < 0 || row >= ds.queryCount) {
        throw new HttpError(
          404,
          "E_RANGE",
          `Expected a query row from 0 to ${ds.queryCount - 1}, got ${rest[1]}`,
          "(url)",
        );
      }
      return Response.json({ dim: ix.dim, ...ds.query(row) }, { headers: dimHeader });
    }
    if (rest[0] === "words" && rest.length === 1) {
      return Response.json({ words: ds.wordsStartingWith(url.searchParams.get("prefix") ?? "", 20) });
    }
    if (rest[0] === "words" && rest.length === 2) {
      const w = ds.wordVector(decodeURIComponent(rest[1]!).toLowerCase());
      if (w === null) throw new HttpError(404, "E_UNKNOWN_WORD", `The dataset has no word '${rest[1]}'`, "(url)");
      return Response.json({ dim: ix.dim, ...w }, { headers: dimHeader });
    }
    throw new HttpError(404, "E_NOT_FOUND", `No endpoint ${path}`, "(url)");
  };

  const server = Bun.serve({
    hostname: opts.host,
    port: opts.port,
    reusePort: opts.reusePort,
    // Bun's own cap answers a bare 413 before our handler runs; keep it far above ours so every
    // refusal is our JSON 413 (declared lengths are refused before the body is read).
    maxRequestBodySize: Math.max(opts.maxBodyBytes * 4, 1 << 30),
    idleTimeout: 30,
    async fetch(req: Request): Promise<Response> {
      const t0 = performance.now();
      const url = new URL(req.url);
      const isSearch = req.method === "POST" && url.pathname.endsWith("/search");
      inFlight++;
      gauges();
      let res: Response;
      try {
        res = await route(req, url);
      } catch (err) {
        const e =
          err instanceof HttpError
            ? err
            : new HttpError(500, "E_INTERNAL", `Cannot answer: ${(err as Error).message}`, "(server)");
        res = errorResponse(e);
      }
      if (opts.corsOrigins.length > 0) for (const [k, v] of Object.entries(cors(req))) res.headers.set(k, v);
      inFlight--;
      gauges();
      metrics.request(res.status);
      if (isSearch) metrics.searchLatency((performance.now() - t0) / 1000);
      return res;
    },
    error(err: Error): Response {
      return errorResponse(new HttpError(500, "E_INTERNAL", `Cannot answer: ${err.message}`, "(server)"));
    },
  });

  return {
    server,
    url: `http://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${server.port}`,
    async stop(): Promise<void> {
      await server.stop(false);
      await Promise.all(indexes.map((ix) => ix.drainAndClose()));
    },
  };
}
