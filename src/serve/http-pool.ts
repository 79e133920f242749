// Keep-alive HTTP/1.1 connections to one server, for the load generator (`ringann bench serve`).
// Why not fetch(): on the 2-vCPU VM the load client shares the CPUs with the server it measures, and
// fetch's Request/Response/Headers objects and body streams cost ~190 µs of CPU per request — a
// quarter of what the server spends answering it. This pool writes a prebuilt request (request line,
// headers and body in one buffer) to an idle connection and parses only what a load test needs from
// the answer: the status, Content-Length or chunked framing, the body and `Connection: close`.
// One request per connection at a time (no pipelining); at most `maxConnections` sockets, the rest
// wait in FIFO order. A connection that fails or closes mid-answer fails its request ("network").
import type { Socket } from "bun";

/** Called once per request: the status and body, or status 0 and null when the connection failed. */
export type HttpDone = (status: number, body: Uint8Array | null) => void;

const CRLF2 = [13, 10, 13, 10] as const;
const latin1 = new TextDecoder("latin1");

interface Conn {
  socket: Socket<Conn> | null;
  /** The request being answered on this connection, or null when idle. */
  done: HttpDone | null;
  /** Bytes of the request not yet taken by the kernel (a short write waits for drain). */
  unsent: Uint8Array | null;
  /** Bytes of the answer so far. */
  buf: Uint8Array;
  len: number;
  /** Parsed header: status, where the body starts, its length (-1: chunked), close after it. */
  status: number;
  bodyAt: number;
  bodyLength: number;
  closeAfter: boolean;
  dead: boolean;
}

/** Prebuilds one POST request (request line, headers, body) as the bytes to write. */
export function buildPost(
  host: string,
  path: string,
  headers: Record<string, string>,
  body: string | Uint8Array,
): Uint8Array {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  let head = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${bytes.length}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  const h = new TextEncoder().encode(`${head}\r\n`);
  const out = new Uint8Array(h.length + bytes.length);
  out.set(h, 0);
  out.set(bytes, h.length);
  return out;
}

export class HttpPool {
  private readonly host: string;
  private readonly port: number;
  private readonly maxConnections: number;
  private readonly idle: Conn[] = [];
  private readonly waiting: { bytes: Uint8Array; done: HttpDone }[] = [];
  private waitingHead = 0;
  private open = 0;
  private closed = false;

  constructor(host: string, port: number, maxConnections: number) {
    this.host = host;
    this.port = port;
    this.maxConnections = maxConnections;
  }

  /** Connections open or opening. */
  get connections(): number {
    return this.open;
  }

  /** Sends one prebuilt request (see buildPost); `done` runs once with the answer or a failure. */
  request(bytes: Uint8Array, done: HttpDone): void {
    if (this.closed) {
      done(0, null);
      return;
    }
    const c = this.idle.pop();
    if (c !== undefined) this.send(c, bytes, done);
    else if (this.open < this.maxConnections) this.connect(bytes, done);
    else this.waiting.push({ bytes, done });
  }

  /** Closes every connection; requests still waiting or in flight fail. */
  close(): void {
    this.closed = true;
    for (const c of this.idle) c.socket?.end();
    this.idle.length = 0;
    while (this.waitingHead < this.waiting.length) this.waiting[this.waitingHead++]!.done(0, null);
  }

  private connect(bytes: Uint8Array, done: HttpDone): void {
    this.open++;
    const c: Conn = {
      socket: null,
      done,
      unsent: bytes,
      buf: new Uint8Array(4096),
      len: 0,
      status: 0,
      bodyAt: -1,
      bodyLength: 0,
      closeAfter: false,
      dead: false,
    };
    Bun.connect<Conn>({
      hostname: this.host,
      port: this.port,
      data: c,
      socket: {
        open: (s) => {
          c.socket = s;
          this.flush(c);
        },
        data: (_s, chunk) => this.receive(c, chunk),
        drain: () => this.flush(c),
        close: () => this.lost(c),
        error: () => this.lost(c),
        connectError: () => this.lost(c),
      },
    }).catch(() => this.lost(c));
  }

  private send(c: Conn, bytes: Uint8Array, done: HttpDone): void {
    c.done = done;
    c.unsent = bytes;
    c.len = 0;
    c.bodyAt = -1;
    this.flush(c);
  }

  private flush(c: Conn): void {
    const s = c.socket;
    if (s === null || c.unsent === null) return;
    const n = s.write(c.unsent);
    c.unsent = n >= c.unsent.length ? null : c.unsent.subarray(Math.max(0, n));
  }

  private receive(c: Conn, chunk: Uint8Array): void {
    if (c.done === null) return; // nothing asked: stray bytes, ignored
    if (c.len + chunk.length > c.buf.length) {
      const grown = new Uint8Array(Math.max(c.buf.length * 2, c.len + chunk.length));
      grown.set(c.buf.subarray(0, c.len));
      c.buf = grown;
    }
    c.buf.set(chunk, c.len);
    c.len += chunk.length;
    if (c.bodyAt < 0 && !this.parseHead(c)) return;
    let body: Uint8Array | null;
    if (c.bodyLength >= 0) {
      if (c.len - c.bodyAt < c.bodyLength) return;
      body = c.buf.slice(c.bodyAt, c.bodyAt + c.bodyLength);
    } else {
      body = dechunk(c.buf.subarray(c.bodyAt, c.len));
      if (body === null) return;
    }
    const done = c.done;
    const status = c.status;
    c.done = null;
    c.len = 0;
    c.bodyAt = -1;
    if (c.closeAfter) {
      c.dead = true;
      this.open--;
      c.socket?.end();
      this.next(null);
    } else this.next(c);
    done(status, body);
  }

  /** Parses the status line and headers once they are all in; false while they are not. */
  private parseHead(c: Conn): boolean {
    const end = indexOfCrlf2(c.buf, c.len);
    if (end < 0) return false;
    const head = latin1.decode(c.buf.subarray(0, end));
    c.status = Number(head.slice(9, 12));
    c.bodyAt = end + 4;
    const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
    c.bodyLength = length !== null ? Number(length[1]) : /\r\ntransfer-encoding:[^\r]*chunked/i.test(head) ? -1 : 0;
    c.closeAfter = /\r\nconnection:[ \t]*close/i.test(head);
    return true;
  }

  /** Hands the next waiting request to `c`, or parks `c`; with `c` null, opens a connection for it. */
  private next(c: Conn | null): void {
    if (this.waitingHead < this.waiting.length) {
      const w = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as never;
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
      if (c !== null) this.send(c, w.bytes, w.done);
      else this.connect(w.bytes, w.done);
    } else if (c !== null) {
      if (this.closed) c.socket?.end();
      else this.idle.push(c);
    }
  }

  private lost(c: Conn): void {
    if (c.dead) return;
    c.dead = true;
    this.open--;
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    const done = c.done;
    c.done = null;
    if (!this.closed && this.open < this.maxConnections) this.next(null);
    done?.(0, null);
  }
}

function indexOfCrlf2(buf: Uint8Array, len: number): number {
  for (let i = 0; i + 3 < len; i++) {
    if (buf[i] === CRLF2[0] && buf[i + 1] === CRLF2[1] && buf[i + 2] === CRLF2[2] && buf[i + 3] === CRLF2[3]) return i;
  }
  return -1;
}

/** The body of a complete chunked encoding, or null while its last (zero) chunk has not arrived. */
export function dechunk(b: Uint8Array): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let at = 0;
  let total = 0;
  for (;;) {
    let eol = -1;
    for (let i = at; i + 1 < b.length; i++) {
      if (b[i] === 13 && b[i + 1] === 10) {
        eol = i;
        break;
      }
    }
    if (eol < 0) return null;
    const size = Number.parseInt(latin1.decode(b.subarray(at, eol)).split(";")[0]!.trim(), 16);
    if (!Number.isFinite(size)) return new Uint8Array(0); // malformed framing: an empty body fails the answer check
    const start = eol + 2;
    if (size === 0) {
      // The last chunk; its trailers (none expected) end with an empty line.
      return indexOfCrlf2(b.subarray(eol), b.length - eol) >= 0 ? join(parts, total) : null;
    }
    if (b.length < start + size + 2) return null;
    parts.push(b.subarray(start, start + size));
    total += size;
    at = start + size + 2;
  }
}

function join(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
