// One seed of the fault swarm (TigerBeetle's simulator is the model): the seed picks a search
// configuration — beam or pipe, width, concurrency 1–8, node cache on/off, entry graph on/off, L,
// the read schedule (delays, shuffling) — and a fault class, runs the same queries without faults
// and with them on SimReader (the staged reader's own staging/retry/short-read code), and checks:
//   - answers are sorted, unique and < npts, k of them;
//   - beam answers do not depend on completion order (= the in-order, one-at-a-time run);
//   - with only retryable faults (EAGAIN/EINTR) answers equal the fault-free run, beam and pipe;
//   - with fatal faults (EIO, short reads) exactly the queries that received a failed read fail, each
//     with an IoError naming the disk file and the read's offset; beam survivors keep their answers;
//   - with bytes corrupted in flight a query either answers well-formed or fails with a FormatError
//     naming the disk file, and only if it received a corrupted read;
//   - the same queries on the same index afterwards, faults off, all succeed;
//   - no slot is held after drain, nothing is in the simulated kernel after close.
import { FormatError, IoError } from "../../src/errors.ts";
import { type SimFault, type SimFaultKind, type SimFaultRates, SimReader } from "../../src/io/sim-reader.ts";
import { DiskIndex, type SearchMode } from "../../src/search/disk-index.ts";
import type { QueryMachine } from "../../src/search/machine.ts";
import { type TinyIndex, rng } from "./tiny-index.ts";

export type FaultClass = "retry" | "fatal" | "corrupt" | "mixed";

const RATES: Record<FaultClass, SimFaultRates> = {
  retry: { retry: 0.25 },
  fatal: { eio: 0.015, shortRead: 0.015 },
  corrupt: { corrupt: 0.06 },
  mixed: { retry: 0.15, eio: 0.01, shortRead: 0.01 },
};
const FATAL: ReadonlySet<SimFaultKind> = new Set(["eio", "short"]);

export interface SwarmConfig {
  seed: number;
  mode: SearchMode;
  width: number;
  concurrency: number;
  cacheNodes: number;
  entryGraph: boolean;
  L: number;
  k: number;
  maxDelayTicks: number;
  shuffle: boolean;
  faults: FaultClass;
  nq: number;
}

export function configFor(seed: number): SwarmConfig {
  const r = rng(seed * 2654435761);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const k = pick([1, 5, 10]);
  return {
    seed, k,
    mode: pick(["beam", "pipe"] as const),
    width: pick([1, 2, 4, 8]),
    concurrency: 1 + Math.floor(r() * 8),
    cacheNodes: pick([0, 0, 40]),
    entryGraph: r() < 0.5,
    L: k + Math.floor(r() * 30),
    maxDelayTicks: pick([1, 2, 5, 9]),
    shuffle: r() < 0.8,
    faults: (["retry", "fatal", "corrupt", "mixed"] as const)[seed % 4]!,
    nq: 12,
  };
}

export function describeConfig(c: SwarmConfig): string {
  return `${c.mode} W${c.width} C${c.concurrency} L${c.L} k${c.k} cache ${c.cacheNodes} entry ${c.entryGraph ? "graph" : "medoid"} ` +
    `delay 1..${c.maxDelayTicks}${c.shuffle ? " shuffled" : ""}, ${c.faults} faults`;
}

type Outcome = { ids: number[]; dists: number[] } | { error: unknown };

interface Run {
  outcomes: Outcome[];
  /** Queries that received a read with each fault kind while running. */
  hit: Map<SimFaultKind, Set<number>>;
  /** Fatal-fault offsets each query received. */
  fatalOffsets: Map<number, Set<number>>;
  faults: number;
}

export interface SwarmStats {
  faults: Record<SimFaultKind, number>;
  failedQueries: number;
  queries: number;
}

/** Opens the index on a SimReader; faults are switched on after open (the node cache loads clean). */
async function openSim(t: TinyIndex, c: SwarmConfig, sched: { maxDelayTicks: number; shuffle: boolean; concurrency: number },
  onFault: (f: SimFault) => void): Promise<{ index: DiskIndex; reader: SimReader }> {
  let reader: SimReader | null = null;
  const index = await DiskIndex.open(t.prefix, {
    maxL: 64, maxWidth: 8, concurrency: sched.concurrency, cacheNodes: c.cacheNodes, entryGraph: c.entryGraph,
    openReader: (file, g) => (reader = new SimReader(t.diskBytes, {
      ...g, file, seed: c.seed, minDelayTicks: 1, maxDelayTicks: sched.maxDelayTicks, shuffle: sched.shuffle, onFault,
    })),
  });
  return { index, reader: reader! };
}

function answerOf(m: QueryMachine, k: number): Outcome {
  const ids = new Uint32Array(k);
  const dists = new Float32Array(k);
  const n = m.topK(k, ids, dists, 0);
  return { ids: Array.from(ids.subarray(0, n)), dists: Array.from(dists.subarray(0, n)) };
}

/** Runs nq queries; `owners` tracks which query each machine runs, so faults can be charged to queries. */
function runQueries(index: DiskIndex, c: SwarmConfig, queries: Float32Array, owners: Map<number, number>): Outcome[] {
  const params = index.resolve({ mode: c.mode, L: c.L, k: c.k, width: c.width, entry: c.entryGraph ? "graph" : "medoid" });
  const out: Outcome[] = [];
  const dim = index.dim;
  if (index.concurrency === 1) {
    const m = index.machineFor(c.mode);
    const ids = new Uint32Array(c.k);
    const dists = new Float32Array(c.k);
    for (let q = 0; q < c.nq; q++) {
      owners.set(m.owner, q);
      try {
        const n = index.searchInto(queries, q * dim, params, ids, dists, 0);
        out[q] = { ids: Array.from(ids.subarray(0, n)), dists: Array.from(dists.subarray(0, n)) };
      } catch (error) {
        out[q] = { error };
      }
    }
  } else {
    const ms = index.machinesFor(c.mode);
    let next = 0;
    for (let i = 0; i < ms.length && next < c.nq; i++) owners.set(ms[i]!.owner, next++);
    const after = (m: QueryMachine): void => {
      if (next < c.nq) owners.set(m.owner, next++);
      else owners.delete(m.owner);
    };
    index.driver.runInterleaved(ms, queries, dim, c.nq, params,
      (q, m) => { out[q] = answerOf(m, c.k); after(m); },
      (q, m, error) => { out[q] = { error }; after(m); });
  }
  owners.clear();
  return out;
}

function fail(what: string): never {
  throw new Error(what);
}

function checkWellFormed(o: { ids: number[]; dists: number[] }, c: SwarmConfig, npts: number, q: number): void {
  if (o.ids.length !== c.k) fail(`query ${q}: ${o.ids.length} answers, expected k = ${c.k}`);
  if (new Set(o.ids).size !== o.ids.length) fail(`query ${q}: duplicate ids ${o.ids.join(",")}`);
  for (let i = 0; i < o.ids.length; i++) {
    if (!(o.ids[i]! < npts)) fail(`query ${q}: id ${o.ids[i]} ≥ npts ${npts}`);
    if (i > 0 && !(o.dists[i]! >= o.dists[i - 1]!)) fail(`query ${q}: distances not ascending: ${o.dists.join(",")}`);
  }
}

function same(a: Outcome, b: Outcome): boolean {
  return "ids" in a && "ids" in b && a.ids.join() === b.ids.join() && a.dists.join() === b.dists.join();
}

/** Runs one seed; throws with what broke. `canonical` memoises in-order beam answers per config. */
export async function runSeed(t: TinyIndex, queriesOf: (seed: number, nq: number) => Float32Array,
  c: SwarmConfig, canonical: Map<string, Outcome[]>, stats: SwarmStats): Promise<void> {
  const queries = queriesOf(c.seed, c.nq);
  const owners = new Map<number, number>();
  const sched = { maxDelayTicks: c.maxDelayTicks, shuffle: c.shuffle, concurrency: c.concurrency };

  // Fault-free reference on the same schedule.
  const ref = await openSim(t, c, sched, () => fail("a fault in the fault-free run"));
  const clean = runQueries(ref.index, c, queries, owners);
  closeAndCheck(ref.index, ref.reader, "fault-free run");
  clean.forEach((o, q) => ("ids" in o ? checkWellFormed(o, c, t.n, q) : fail(`fault-free query ${q} failed: ${String(o.error)}`)));

  if (c.mode === "beam") {
    const key = `${c.width}/${c.L}/${c.k}/${c.cacheNodes}/${c.entryGraph}/${c.seed % 97}`;
    let inOrder = canonical.get(key);
    if (inOrder === undefined) {
      const one = await openSim(t, c, { maxDelayTicks: 1, shuffle: false, concurrency: 1 }, () => fail("fault"));
      inOrder = runQueries(one.index, c, queries, owners);
      closeAndCheck(one.index, one.reader, "in-order run");
      canonical.set(key, inOrder);
    }
    clean.forEach((o, q) => same(o, inOrder![q]!) || fail(`beam query ${q} depends on completion order`));
  }

  // The same schedule with faults.
  const run: Run = { outcomes: [], hit: new Map(), fatalOffsets: new Map(), faults: 0 };
  let sim: { index: DiskIndex; reader: SimReader } | null = null;
  const onFault = (f: SimFault): void => {
    run.faults++;
    const owner = sim!.index.source.slotOwner[f.slot]!;
    const q = owners.get(owner);
    if (q === undefined) return; // an abandoned read (its query had finished): harms nobody
    if (!run.hit.has(f.kind)) run.hit.set(f.kind, new Set());
    run.hit.get(f.kind)!.add(q);
    if (FATAL.has(f.kind)) {
      if (!run.fatalOffsets.has(q)) run.fatalOffsets.set(q, new Set());
      run.fatalOffsets.get(q)!.add(f.offset);
    }
  };
  sim = await openSim(t, c, sched, onFault);
  const { index, reader } = sim;
  reader.setFaultRates(RATES[c.faults]);
  run.outcomes = runQueries(index, c, queries, owners);
  const diskFile = index.files.diskFile;
  const fatalHit = new Set([...(run.hit.get("eio") ?? []), ...(run.hit.get("short") ?? [])]);
  const corruptHit = run.hit.get("corrupt") ?? new Set<number>();
  run.outcomes.forEach((o, q) => {
    if ("ids" in o) {
      if (fatalHit.has(q)) fail(`query ${q} received a failed read but answered`);
      checkWellFormed(o, c, t.n, q);
      if (c.faults === "retry" && !same(o, clean[q]!)) fail(`query ${q}: retryable faults changed the answer`);
      if (c.mode === "beam" && c.faults !== "corrupt" && !same(o, clean[q]!)) fail(`beam query ${q}: answer changed by faults elsewhere`);
      return;
    }
    stats.failedQueries++;
    const e = o.error;
    if (e instanceof IoError) {
      if (!fatalHit.has(q)) fail(`query ${q} failed with ${e.message} without receiving a failed read`);
      if (e.file !== diskFile) fail(`query ${q}: IoError names ${e.file}, not ${diskFile}`);
      if (!run.fatalOffsets.get(q)!.has(e.offset)) fail(`query ${q}: IoError offset ${e.offset} is not a failed read of it`);
      if (e.code !== "E_IO" && e.code !== "E_SHORT_READ") fail(`query ${q}: IoError code ${e.code}`);
    } else if (e instanceof FormatError) {
      if (!corruptHit.has(q)) fail(`query ${q} failed with ${e.message} without receiving a corrupted read`);
      if (e.file !== diskFile) fail(`query ${q}: FormatError names ${e.file}, not ${diskFile}`);
    } else {
      fail(`query ${q} failed with ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  });
  for (const q of fatalHit) if ("ids" in run.outcomes[q]!) fail(`query ${q} received a failed read but answered`);

  // Faults off: the same index answers every query again.
  reader.setFaultRates({});
  const after = runQueries(index, c, queries, owners);
  after.forEach((o, q) => {
    if (!("ids" in o)) fail(`after the faults, query ${q} failed: ${String(o.error)}`);
    checkWellFormed(o, c, t.n, q);
    if (c.mode === "beam" && !same(o, clean[q]!)) fail(`after the faults, beam query ${q} answers differently`);
  });
  closeAndCheck(index, reader, "faulty run");
  for (const [kind, n] of Object.entries(reader.faultCounts)) stats.faults[kind as SimFaultKind] += n;
  stats.queries += 2 * c.nq;
}

function closeAndCheck(index: DiskIndex, reader: SimReader, what: string): void {
  index.driver.drain();
  if (reader.inFlight !== 0) fail(`${what}: ${reader.inFlight} reads in flight after drain`);
  if (reader.slotsHeld !== 0) fail(`${what}: ${reader.slotsHeld} slots leaked after drain`);
  index.close();
  if (reader.pendingInKernel !== 0) fail(`${what}: ${reader.pendingInKernel} reads left in the simulated kernel after close`);
}
