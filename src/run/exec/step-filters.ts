// The main thread's half of a filtered or range search step (issue 12): the queries' filters evaluated
// against the index's labels into shared bitsets (each distinct filter once), the range truth in
// shared memory, and, after a run, the per-query extras the Workers wrote summed into row figures.
// Errors name the config field: `jobs[2].filter.label` (unknown label), `jobs[2].query_filters`
// (file:line of a malformed line), `...vector_filters_file` (DiskANN's per-query id sets).
import { readFileSync } from "node:fs";
import { ConfigError, FormatError } from "../../errors.ts";
import { Bitset } from "../../filter/bitset.ts";
import { openLabelStore } from "../../filter/open-labels.ts";
import { type Filter, filterKey, parseFilterText } from "../../filter/predicate.ts";
import { readRangeTruth } from "../../format/range-truth.ts";
import { CHOSEN_STRATEGIES } from "../../search/filter-engine.ts";
import type { SearchStep, StepFilters } from "../config/plan.ts";
import {
  EXTRA_EFFECTIVE_L,
  EXTRA_FOUND,
  EXTRA_HITS,
  EXTRA_ROUNDS,
  EXTRA_SELECTIVITY,
  EXTRA_STRATEGY,
  EXTRA_TRUTH,
  type SharedFilters,
  type SharedRangeTruth,
  type SharedResults,
  extrasOffset,
} from "./pool-protocol.ts";

/** Shared bitsets above this many bytes in all: too many distinct filters for this index. */
const MAX_FILTER_BYTES = 1 << 30;

function sharedWords(bits: Bitset): Uint32Array {
  const out = new Uint32Array(new SharedArrayBuffer(bits.words.byteLength));
  out.set(bits.words);
  return out;
}

/** The step's filters for queries 0..nq-1 as shared bitsets (null for an unfiltered step). */
export function loadStepFilters(step: SearchStep, npts: number, nq: number): SharedFilters | null {
  const spec = step.filters;
  if (spec === null) return null;
  const filterOf = new Int32Array(new SharedArrayBuffer(nq * 4));
  const sets: { words: Uint32Array; count: number; starts: Uint32Array }[] = [];
  const bytesPer = Math.ceil(npts / 32) * 4;
  const room = (n: number, where: string): void => {
    if (n * bytesPer > MAX_FILTER_BYTES)
      throw new ConfigError(where, [
        `${n} distinct filters over ${npts} points need ${((n * bytesPer) / 2 ** 30).toFixed(1)} GiB of bitsets; the limit is 1 GiB`,
      ]);
  };
  if (spec.kind === "ids") {
    // DiskANN's vector filters: query q may return exactly the ids of row q.
    const t = readRangeTruth(spec.file);
    if (t.nq < nq)
      throw new ConfigError(spec.at, [`${spec.file} holds filters for ${t.nq} queries, fewer than the ${nq} searched`]);
    room(nq, spec.at);
    for (let q = 0; q < nq; q++) {
      const ids = t.ids.subarray(t.offsets[q]!, t.offsets[q + 1]!);
      for (const id of ids)
        if (id >= npts) throw new FormatError(spec.file, `ids of query ${q}`, `< ${npts}`, String(id));
      const bits = Bitset.fromIds(npts, ids);
      sets.push({ words: sharedWords(bits), count: bits.count(), starts: new Uint32Array(0) });
      filterOf[q] = q;
    }
    return { npts, filterOf, sets };
  }
  const store = openLabelStore(step.index, npts);
  const filters = stepFilterList(spec, nq);
  const seen = new Map<string, number>();
  for (let q = 0; q < nq; q++) {
    const { filter, at } = filters[q]!;
    const key = filterKey(filter);
    let i = seen.get(key);
    if (i === undefined) {
      room(sets.length + 1, spec.at);
      const m = store.evaluate(filter, at);
      i = sets.length;
      sets.push({ words: sharedWords(m.bits), count: m.count, starts: m.starts.slice() });
      seen.set(key, i);
    }
    filterOf[q] = i;
  }
  return { npts, filterOf, sets };
}

/** The filter of every query, with the path that names it in errors. */
function stepFilterList(spec: StepFilters, nq: number): { filter: Filter; at: string }[] {
  if (spec.kind === "one") return Array.from({ length: nq }, () => ({ filter: spec.filter, at: spec.at }));
  if (spec.kind === "ids") throw new ConfigError(spec.at, ["id-set filters have no filter text"]);
  let text: string;
  try {
    text = readFileSync(spec.file, "utf8");
  } catch (err) {
    throw new ConfigError(spec.at, [`cannot read ${spec.file} (${(err as NodeJS.ErrnoException).code ?? err})`]);
  }
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length < nq)
    throw new ConfigError(spec.at, [`${spec.file} holds ${lines.length} filters, fewer than the ${nq} queries`]);
  return Array.from({ length: nq }, (_, q) => {
    const at = `${spec.at} (${spec.file}:${q + 1})`;
    return { filter: parseFilterText(lines[q]!, at), at };
  });
}

/** A range step's truth in shared memory. */
export function loadRangeTruth(path: string, nq: number, at: string): SharedRangeTruth {
  const t = readRangeTruth(path);
  if (t.nq < nq)
    throw new ConfigError(at, [`${path} holds range truth for ${t.nq} queries, fewer than the ${nq} searched`]);
  const offsets = new Uint32Array(new SharedArrayBuffer(t.offsets.byteLength));
  offsets.set(t.offsets);
  const ids = new Uint32Array(new SharedArrayBuffer(t.ids.byteLength));
  ids.set(t.ids);
  return { offsets, ids };
}

/** What a filtered or range run adds to its row. */
export interface FilterFigures {
  /** How often auto (or the fixed strategy) ran each strategy: "pre 73% in 27%". */
  readonly chosen: string;
  readonly selectivity: number;
  readonly effectiveL: number;
  readonly found: number;
  readonly rangeRounds: number | null;
  /** Range recall: mean over queries with a non-empty truth of hits / truth (NaN without truth). */
  readonly rangeRecall: number;
}

export function filterFigures(
  results: SharedResults,
  combo: number,
  nq: number,
  range: boolean,
  hasRangeTruth: boolean,
): FilterFigures {
  const e = results.extras;
  const counts = new Array<number>(CHOSEN_STRATEGIES.length).fill(0);
  let sel = 0;
  let effL = 0;
  let found = 0;
  let rounds = 0;
  let recallSum = 0;
  let withTruth = 0;
  for (let q = 0; q < nq; q++) {
    const at = extrasOffset(results, combo, q);
    counts[e[at + EXTRA_STRATEGY]!]!++;
    sel += e[at + EXTRA_SELECTIVITY]!;
    effL += e[at + EXTRA_EFFECTIVE_L]!;
    found += e[at + EXTRA_FOUND]!;
    rounds += e[at + EXTRA_ROUNDS]!;
    const truth = e[at + EXTRA_TRUTH]!;
    if (truth > 0) {
      recallSum += e[at + EXTRA_HITS]! / truth;
      withTruth++;
    }
  }
  const n = Math.max(1, nq);
  const chosen = CHOSEN_STRATEGIES.map((s, i) => [s, counts[i]!] as const)
    .filter(([, c]) => c > 0)
    .map(([s, c]) => `${s} ${((100 * c) / n).toFixed(0)}%`)
    .join(" ");
  return {
    chosen,
    selectivity: sel / n,
    effectiveL: effL / n,
    found: found / n,
    rangeRounds: range ? rounds / n : null,
    rangeRecall: !hasRangeTruth ? Number.NaN : withTruth === 0 ? 1 : recallSum / withTruth,
  };
}
