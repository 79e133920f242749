// Seeded mutations of a valid file, for the parser fuzzer. Case i of a target is a pure function of
// (seed bytes, header fields, i): the first cases truncate at every header byte, the rest draw from
//   bit flips (1–8 bits, half of them in the header), a header field set to an edge value (0, 1, -1,
//   2^31-1, 2^31, 2^32-1, 2^53+1, 2^63, 2^64-1), a float in the data set to NaN/±Inf/-0/1e38, a
//   truncation anywhere, junk appended, and for JSON a value replaced/removed/retyped at a random path.
// A failing case is replayed from its index alone, and its bytes are kept as a regression file.
import { rng } from "../search/tiny-index.ts";

/** An integer field of the header: byte offset and width (4 or 8), little-endian. */
export interface HeaderField {
  name: string;
  at: number;
  bytes: 4 | 8;
}

export interface ByteSeed {
  bytes: Uint8Array;
  /** Bytes that belong to headers (truncated at every one of them). */
  headerBytes: number;
  fields: readonly HeaderField[];
  /** Byte ranges holding float32 values (NaN/Inf targets). */
  floats?: readonly { at: number; count: number }[];
  /** The floats are vectors: a NaN or ±Inf among them must be refused, not just survived. */
  finite?: boolean;
}

const EDGE_U64 = [0n, 1n, 2n, 0xffffffffn, 0x7fffffffn, 0x80000000n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n, 0xffffffff00000000n];
const EDGE_U32 = [0, 1, 2, 0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 65536, 4097];
const EDGE_F32 = [NaN, Infinity, -Infinity, -0, 3.4e38, -3.4e38, 1e-45];

export function mutateBytes(seed: ByteSeed, i: number): { bytes: Uint8Array; what: string; mustFail?: boolean } {
  const src = seed.bytes;
  if (i <= seed.headerBytes) return { bytes: src.slice(0, i), what: `truncated to ${i} bytes` };
  const r = rng(i * 0x9e3779b1 + 17);
  const pickInt = (n: number): number => Math.floor(r() * n);
  const choice = pickInt(seed.floats ? 6 : 5);
  if (choice === 0 || seed.fields.length === 0) {
    const out = src.slice();
    const flips = 1 + pickInt(8);
    const inHeader = r() < 0.5 && seed.headerBytes > 0;
    for (let k = 0; k < flips; k++) {
      const at = inHeader ? pickInt(seed.headerBytes) : pickInt(out.length);
      out[at]! ^= 1 << pickInt(8);
    }
    return { bytes: out, what: `${flips} bit flips${inHeader ? " in the header" : ""}` };
  }
  if (choice <= 2) {
    const f = seed.fields[pickInt(seed.fields.length)]!;
    const out = src.slice();
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    if (f.bytes === 8) {
      const v = EDGE_U64[pickInt(EDGE_U64.length)]!;
      view.setBigUint64(f.at, v, true);
      return { bytes: out, what: `${f.name} = ${v}` };
    }
    const v = EDGE_U32[pickInt(EDGE_U32.length)]!;
    view.setUint32(f.at, v, true);
    return { bytes: out, what: `${f.name} = ${v} (${v | 0} signed)` };
  }
  if (choice === 3) {
    const at = seed.headerBytes + pickInt(Math.max(1, src.length - seed.headerBytes));
    return { bytes: src.slice(0, at), what: `truncated to ${at} bytes` };
  }
  if (choice === 4) {
    const extra = 1 + pickInt(64);
    const out = new Uint8Array(src.length + extra);
    out.set(src);
    for (let k = src.length; k < out.length; k++) out[k] = pickInt(256);
    return { bytes: out, what: `${extra} junk bytes appended` };
  }
  const range = seed.floats![pickInt(seed.floats!.length)]!;
  const out = src.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const v = EDGE_F32[pickInt(EDGE_F32.length)]!;
  const at = range.at + 4 * pickInt(range.count);
  if (at + 4 > out.length) return { bytes: out, what: "unchanged" };
  view.setFloat32(at, v, true);
  return { bytes: out, what: `float at byte ${at} = ${v}`, mustFail: seed.finite === true && !Number.isFinite(v) };
}

const EDGE_JSON: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53 + 1, 1e308, -1e308, "", "NaN", "1e400", "../../../x", [], {}, [1, 2], "x".repeat(300)];

/** A JSON document mutated at a random path, or its text truncated / bit-flipped. */
export function mutateJson(text: string, i: number): { text: string; what: string } {
  const r = rng(i * 0x85ebca6b + 29);
  const pickInt = (n: number): number => Math.floor(r() * n);
  const kind = pickInt(10);
  if (kind === 0) {
    const at = pickInt(text.length);
    return { text: text.slice(0, at), what: `truncated to ${at} characters` };
  }
  if (kind === 1) {
    const bytes = new TextEncoder().encode(text);
    const at = pickInt(bytes.length);
    bytes[at]! ^= 1 << pickInt(8);
    return { text: new TextDecoder().decode(bytes), what: `bit flip at byte ${at}` };
  }
  const doc = JSON.parse(text) as unknown;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((x, j) => walk(x, [...path, j]));
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(doc, []);
  const path = paths[pickInt(paths.length)]!;
  const op = pickInt(3);
  const value = EDGE_JSON[pickInt(EDGE_JSON.length)];
  if (path.length === 0) return { text: JSON.stringify(value), what: `document = ${JSON.stringify(value)}` };
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], doc) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (op === 0 && !Array.isArray(parent)) {
    delete parent[key];
    return { text: JSON.stringify(doc), what: `removed ${path.join(".")}` };
  }
  if (op === 1 && typeof parent[key] === "number") {
    parent[key] = -(parent[key] as number) - 1;
    return { text: JSON.stringify(doc), what: `negated ${path.join(".")}` };
  }
  parent[key] = value;
  return { text: JSON.stringify(doc), what: `${path.join(".")} = ${JSON.stringify(value)?.slice(0, 40)}` };
}
