// `ringann bench serve`: an open-loop load generator. Requests leave at a fixed arrival rate whatever
// the server does (request i is due at start + i / rate); a request's latency runs from the moment it
// was *due*, not when it left, so queueing in the client or the server is counted (no coordinated
// omission). Per rate: achieved QPS (answers per second of the window), p50/p99/p99.9, errors by kind,
// and the slowest /healthz answer seen while loaded (probed every 100 ms, each on a fresh connection
// of its own: fetch's pool of at most 256 connections would queue the probe behind the load).
// Loopback only: the URL must name 127.0.0.1, ::1 or localhost. Every run stops by itself.
// Requests go out on the keep-alive pool of http-pool.ts (client "raw", the default: a fraction of
// fetch's CPU per request, which matters when client and server share the CPUs) or through fetch().
// Every answer is checked: status 200 and a JSON body with a `results` list whose rows carry `ids`;
// anything else counts as an error ("bad-answer" for a 200 that fails the check).
import { UsageError } from "../errors.ts";
import { HttpPool, buildPost } from "./http-pool.ts";

export type LoadClient = "raw" | "fetch";

export interface LoadOptions {
  url: string;
  index: string;
  rate: number;
  durationS: number;
  /** Request bodies, used round-robin (JSON strings or float32 bytes). */
  bodies: (string | Uint8Array)[];
  contentType: string;
  /** Appended to the search URL (binary bodies carry k, L, mode, width there), e.g. "?k=10". */
  search: string;
  token: string | null;
  /** Requests allowed in flight before new ones count as dropped (protects the client). */
  maxOutstanding: number;
  /** How requests are sent (default "raw"; see the header). */
  client?: LoadClient;
  /** Most connections the raw client opens (default 256, as fetch's pool). */
  maxConnections?: number;
}

export interface LoadResult {
  rate: number;
  durationS: number;
  sent: number;
  ok: number;
  /** Non-200 answers by status, network failures as "network", client overload as "dropped". */
  errors: Record<string, number>;
  achievedQps: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  healthzMaxMs: number;
  healthzP50Ms: number;
}

export function assertLoopback(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--url: not a URL: '${url}'`);
  }
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (host !== "127.0.0.1" && host !== "::1" && host !== "localhost") {
    throw new UsageError(
      `--url must be a loopback address (127.0.0.1, ::1, localhost): load tests never leave this machine, got '${u.hostname}'`,
    );
  }
  return u;
}

function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const base = o.url.replace(/\/$/, "");
  const target = `${base}/v1/indexes/${encodeURIComponent(o.index)}/search${o.search}`;
  const headers: Record<string, string> = { "Content-Type": o.contentType };
  if (o.token !== null) headers.Authorization = `Bearer ${o.token}`;
  const total = Math.max(1, Math.round(o.rate * o.durationS));
  const latencies = new Float64Array(total);
  let done = 0;
  let ok = 0;
  let outstanding = 0;
  let lastAnswer = 0;
  const errors: Record<string, number> = {};
  const fail = (kind: string): void => {
    errors[kind] = (errors[kind] ?? 0) + 1;
  };
  const health: number[] = [];
  let healthBusy = false;
  const start = performance.now() + 5;
  const interval = 1000 / o.rate;
  let next = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const settle = (): void => {
    done++;
    if (done === total) finish();
  };

  const answered = (due: number, status: number, body: Uint8Array | null): void => {
    const t = performance.now();
    outstanding--;
    if (status === 0 || body === null) fail("network");
    else if (status !== 200) fail(String(status));
    else if (!answerOk(body)) fail("bad-answer");
    else {
      latencies[ok++] = t - due;
      lastAnswer = t;
    }
    settle();
  };
  const u = new URL(base);
  const pool =
    (o.client ?? "raw") === "raw"
      ? new HttpPool(u.hostname.replace(/^\[|\]$/g, ""), Number(u.port || 80), o.maxConnections ?? 256)
      : null;
  const path = `${u.pathname.replace(/\/$/, "")}/v1/indexes/${encodeURIComponent(o.index)}/search${o.search}`;
  const requests = pool === null ? [] : o.bodies.map((b) => buildPost(u.host, path, headers, b));

  const send = (i: number): void => {
    const due = start + i * interval;
    if (outstanding >= o.maxOutstanding) {
      fail("dropped");
      settle();
      return;
    }
    outstanding++;
    if (pool !== null) {
      pool.request(requests[i % requests.length]!, (status, body) => answered(due, status, body));
      return;
    }
    fetch(target, { method: "POST", headers, body: o.bodies[i % o.bodies.length]!, keepalive: true })
      .then(async (res) => answered(due, res.status, await res.bytes()))
      .catch(() => answered(due, 0, null));
  };

  // /healthz on its own TCP connection, not through the load's pool (which queues behind the load).
  const probe = setInterval(() => {
    if (healthBusy) return;
    healthBusy = true;
    const t0 = performance.now();
    probeHealthz(u)
      .then((ok) => health.push(ok ? performance.now() - t0 : Infinity))
      .finally(() => (healthBusy = false));
  }, 100);

  const tick = (): void => {
    const now = performance.now();
    while (next < total && start + next * interval <= now) send(next++);
    if (next < total) setTimeout(tick, Math.max(0, Math.min(1, start + next * interval - performance.now())));
  };
  setTimeout(tick, 5);
  await finished;
  clearInterval(probe);
  pool?.close();
  const sorted = latencies.slice(0, ok).sort();
  const window = Math.max(o.durationS, (lastAnswer - start) / 1000);
  const hs = Float64Array.from(health).sort();
  return {
    rate: o.rate,
    durationS: o.durationS,
    sent: total,
    ok,
    errors,
    achievedQps: ok / window,
    p50Ms: pct(sorted, 0.5),
    p99Ms: pct(sorted, 0.99),
    p999Ms: pct(sorted, 0.999),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : NaN,
    healthzMaxMs: hs.length ? hs[hs.length - 1]! : NaN,
    healthzP50Ms: pct(hs, 0.5),
  };
}

const utf8 = new TextDecoder();

/** A search answer as the server gives it: JSON with a non-empty `results` list of rows with `ids`. */
export function answerOk(body: Uint8Array): boolean {
  try {
    const j = JSON.parse(utf8.decode(body)) as { results?: { ids?: unknown }[] };
    return Array.isArray(j.results) && j.results.length > 0 && j.results.every((r) => Array.isArray(r.ids));
  } catch {
    return false;
  }
}

/** GET /healthz over a fresh connection; resolves true on a 200 status line. */
function probeHealthz(u: URL): Promise<boolean> {
  return new Promise((resolve) => {
    let got = "";
    const done = (ok: boolean, socket?: { end(): void }): void => {
      socket?.end();
      resolve(ok);
    };
    Bun.connect({
      hostname: u.hostname.replace(/^\[|\]$/g, ""),
      port: Number(u.port || 80),
      socket: {
        open(socket) {
          socket.write(`GET /healthz HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`);
        },
        data(socket, chunk) {
          got += new TextDecoder().decode(chunk);
          if (got.includes("\r\n")) done(got.startsWith("HTTP/1.1 200"), socket);
        },
        error() {
          done(false);
        },
        connectError() {
          done(false);
        },
        close() {
          if (!got.includes("\r\n")) done(false);
        },
      },
    }).catch(() => done(false));
  });
}
