// The labels and attributes of an index's points, compact in memory, and filter evaluation.
// Per label, by density: a bitmap (npts/8 bytes) when the label holds more than npts/32 points, else a
// sorted posting list (4 bytes a point) — whichever is smaller. Points carrying the universal label
// belong to every label. Numeric attributes are kept as a column plus the ids sorted by value, so a
// range is two binary searches. A filter evaluates to a Match (a bitmap, its count and, lazily, its
// ids); recent filters are cached by their text, so a query set that repeats filters evaluates each once.
import { ConfigError } from "../errors.ts";
import type { PointAttributes } from "../format/attribute-file.ts";
import { NO_START, type PointLabels } from "../format/label-files.ts";
import { Bitset } from "./bitset.ts";
import { type Bounds, type Filter, filterKey } from "./predicate.ts";

/** A filter evaluated over the index's points. */
export class Match {
  readonly bits: Bitset;
  readonly count: number;
  /** Start points of the filter's labels that match it (Filtered-DiskANN's per-label entry points). */
  readonly starts: Uint32Array;
  private idList: Uint32Array | null;

  constructor(bits: Bitset, count: number, starts: Uint32Array, ids: Uint32Array | null = null) {
    this.bits = bits;
    this.count = count;
    this.starts = starts;
    this.idList = ids;
  }

  get selectivity(): number {
    return this.bits.size === 0 ? 0 : this.count / this.bits.size;
  }

  /** The matching ids in increasing order. */
  ids(): Uint32Array {
    if (this.idList === null) this.idList = this.bits.toIds();
    return this.idList;
  }
}

type LabelSet = { kind: "bitmap"; bits: Bitset; count: number } | { kind: "postings"; ids: Uint32Array };

interface Column {
  readonly values: Float64Array;
  /** Ids of points with a value, sorted by value. */
  readonly order: Uint32Array;
  readonly sorted: Float64Array;
}

const CACHE_ENTRIES = 64;

export class LabelStore {
  readonly npts: number;
  readonly names: readonly string[];
  readonly universal: number;
  readonly startPoints: Uint32Array;
  private readonly numbers: Map<string, number>;
  private readonly sets: LabelSet[];
  private readonly columns: Map<string, Column>;
  private readonly cache = new Map<string, Match>();

  constructor(
    labels: PointLabels | null,
    attributes: PointAttributes | null,
    startPoints: Uint32Array | null,
    npts: number,
  ) {
    this.npts = npts;
    this.names = labels?.names ?? [];
    this.universal = labels?.universal ?? -1;
    this.numbers = new Map(this.names.map((n, i) => [n, i]));
    this.startPoints = startPoints ?? new Uint32Array(this.names.length).fill(NO_START);
    this.sets = labels ? invert(labels) : [];
    this.columns = new Map();
    if (attributes) for (const [field, values] of attributes.columns) this.columns.set(field, sortColumn(values));
  }

  get hasLabels(): boolean {
    return this.names.length > 0;
  }

  get attributeNames(): string[] {
    return [...this.columns.keys()];
  }

  /** Points carrying label number n (without the universal label's points). */
  labelCount(n: number): number {
    const s = this.sets[n]!;
    return s.kind === "bitmap" ? s.count : s.ids.length;
  }

  /** Bytes the label sets take (bitmaps and posting lists). */
  get labelBytes(): number {
    let b = 0;
    for (const s of this.sets) b += s.kind === "bitmap" ? s.bits.words.byteLength : s.ids.byteLength;
    return b;
  }

  labelNumber(name: string, path = "filter.label"): number {
    const n = this.numbers.get(name);
    if (n === undefined) {
      if (this.names.length === 0)
        throw new ConfigError(
          path,
          [
            `the index has no labels (build it with --labels, or attach them), so label ${JSON.stringify(name)} cannot match`,
          ],
          "E_NO_LABELS",
        );
      const known = this.names
        .slice(0, 10)
        .map((s) => JSON.stringify(s))
        .join(", ");
      throw new ConfigError(
        path,
        [
          `unknown label ${JSON.stringify(name)}; the index has ${this.names.length} labels (${known}${this.names.length > 10 ? ", ..." : ""})`,
        ],
        "E_UNKNOWN_LABEL",
      );
    }
    return n;
  }

  /** Evaluates a filter (cached by its text). `path` names the filter in errors. */
  evaluate(filter: Filter, path = "filter"): Match {
    const key = filterKey(filter);
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const bits = this.bitsOf(filter, path);
    const starts: number[] = [];
    this.collectStarts(filter, bits, starts);
    const m = new Match(bits, bits.count(), Uint32Array.from(new Set(starts)));
    this.cache.set(key, m);
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return m;
  }

  /** True when point `id` satisfies `filter` (slow path: for tests and ground truth checks). */
  matches(filter: Filter, id: number): boolean {
    return this.evaluate(filter).bits.has(id);
  }

  private bitsOf(f: Filter, path: string): Bitset {
    if ("label" in f) return this.labelBits(this.labelNumber(f.label, `${path}.label`));
    if ("and" in f) return f.and.map((g, i) => this.bitsOf(g, `${path}.and[${i}]`)).reduce((a, b) => a.and(b));
    if ("or" in f) return f.or.map((g, i) => this.bitsOf(g, `${path}.or[${i}]`)).reduce((a, b) => a.or(b));
    if ("not" in f) return this.bitsOf(f.not, `${path}.not`).not();
    let out: Bitset | null = null;
    for (const [field, bounds] of Object.entries(f.range)) {
      const b = this.rangeBits(field, bounds, `${path}.range.${field}`);
      out = out === null ? b : out.and(b);
    }
    return out!;
  }

  private labelBits(n: number): Bitset {
    const s = this.sets[n]!;
    let bits = s.kind === "bitmap" ? s.bits : Bitset.fromIds(this.npts, s.ids);
    if (this.universal >= 0 && n !== this.universal) bits = bits.or(this.labelBits(this.universal));
    return bits;
  }

  private rangeBits(field: string, b: Bounds, path: string): Bitset {
    const col = this.columns.get(field);
    if (col === undefined) {
      const known = this.attributeNames;
      throw new ConfigError(
        path,
        [
          known.length === 0
            ? `the index has no numeric attributes (build it with --attributes), so ${JSON.stringify(field)} cannot match`
            : `unknown attribute ${JSON.stringify(field)}; the index has ${known.map((s) => JSON.stringify(s)).join(", ")}`,
        ],
        "E_UNKNOWN_ATTRIBUTE",
      );
    }
    const s = col.sorted;
    let lo = 0;
    let hi = s.length;
    if (b.gte !== undefined) lo = Math.max(lo, lowerBound(s, b.gte));
    if (b.gt !== undefined) lo = Math.max(lo, upperBound(s, b.gt));
    if (b.lte !== undefined) hi = Math.min(hi, upperBound(s, b.lte));
    if (b.lt !== undefined) hi = Math.min(hi, lowerBound(s, b.lt));
    const bits = new Bitset(this.npts);
    for (let i = lo; i < hi; i++) bits.add(col.order[i]!);
    return bits;
  }

  private collectStarts(f: Filter, bits: Bitset, out: number[]): void {
    if ("label" in f) {
      const n = this.numbers.get(f.label);
      const s = n === undefined ? NO_START : this.startPoints[n]!;
      if (s !== NO_START && bits.has(s)) out.push(s);
    } else if ("and" in f) for (const g of f.and) this.collectStarts(g, bits, out);
    else if ("or" in f) for (const g of f.or) this.collectStarts(g, bits, out);
  }
}

/** Per-label sets from per-point labels (counting sort into posting lists, dense ones as bitmaps). */
function invert(labels: PointLabels): LabelSet[] {
  const L = labels.names.length;
  const counts = new Uint32Array(L + 1);
  for (let i = 0; i < labels.ids.length; i++) counts[labels.ids[i]! + 1]!++;
  for (let n = 0; n < L; n++) counts[n + 1]! += counts[n]!;
  const flat = new Uint32Array(labels.ids.length);
  const fill = counts.slice(0, L);
  for (let p = 0; p < labels.npts; p++) {
    for (let i = labels.offsets[p]!; i < labels.offsets[p + 1]!; i++) flat[fill[labels.ids[i]!]!++] = p;
  }
  const sets: LabelSet[] = [];
  for (let n = 0; n < L; n++) {
    const ids = flat.slice(counts[n]!, counts[n + 1]!);
    sets.push(
      ids.length * 32 > labels.npts
        ? { kind: "bitmap", bits: Bitset.fromIds(labels.npts, ids), count: ids.length }
        : { kind: "postings", ids },
    );
  }
  return sets;
}

function sortColumn(values: Float64Array): Column {
  const ids: number[] = [];
  for (let p = 0; p < values.length; p++) if (!Number.isNaN(values[p]!)) ids.push(p);
  ids.sort((a, b) => values[a]! - values[b]! || a - b);
  const order = Uint32Array.from(ids);
  const sorted = new Float64Array(order.length);
  for (let i = 0; i < order.length; i++) sorted[i] = values[order[i]!]!;
  return { values, order, sorted };
}

/** First index with s[i] >= x. */
function lowerBound(s: Float64Array, x: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with s[i] > x. */
function upperBound(s: Float64Array, x: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
