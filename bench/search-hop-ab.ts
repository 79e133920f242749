// CPU per hop of two source trees of ringann side by side in one process (A/B, interleaved rounds):
// whole searches through an in-memory reader (no I/O), process CPU time (user + system) per hop, so other
// load on a shared machine inflates both sides alike and preemption does not count.
// Run: node_modules/.bin/bun bench/search-hop-ab.ts BEFORE_TREE AFTER_TREE INDEX_PREFIX QUERIES [rounds]
import { readFileSync } from "node:fs";

const [treeA, treeB, prefix, queriesFile, roundsArg] = process.argv.slice(2);
if (!treeA || !treeB || !prefix || !queriesFile) {
  console.error("usage: bun bench/search-hop-ab.ts BEFORE_TREE AFTER_TREE INDEX_PREFIX QUERIES [rounds]");
  process.exit(2);
}
const rounds = Number(roundsArg ?? 5);
const disk = new Uint8Array(readFileSync(`${prefix}_disk.index`));

interface Side {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: DiskIndex of either source tree, loaded at run time
  index: any;
  // biome-ignore lint/suspicious/noExplicitAny: the query vectors of either tree's readBin
  queries: any;
  dim: number;
  nq: number;
  cpu: Map<string, number>;
  hops: Map<string, number>;
}
async function side(name: string, tree: string): Promise<Side> {
  const { DiskIndex } = await import(`${tree}/src/search/disk-index.ts`);
  // The in-memory reader: MemoryReader in older trees, SimReader (a StagedReader backend) in newer ones.
  const old = await import(`${tree}/src/io/memory-reader.ts`).catch(() => null);
  const Reader = old ? old.MemoryReader : (await import(`${tree}/src/io/sim-reader.ts`)).SimReader;
  const { openVectorFile } = await import(`${tree}/src/format/vector-file.ts`);
  const index = await DiskIndex.open(prefix, {
    openReader: (file: string, g: { slotBytes: number; slotCount: number }) =>
      new Reader(disk, { ...g, file, minDelayTicks: 1, maxDelayTicks: 1, shuffle: false }),
  });
  const qf = openVectorFile(queriesFile);
  const nq = Math.min(200, qf.npts);
  const queries = qf.readRows(0, nq);
  qf.close();
  return { name, index, queries, dim: index.meta.dim, nq, cpu: new Map(), hops: new Map() };
}
const sides = [await side("before", treeA), await side("after", treeB)];
const ids = new Uint32Array(10);
const ds = new Float32Array(10);
const combos = [
  ["beam", 10],
  ["beam", 100],
  ["pipe", 10],
  ["pipe", 100],
] as const;
for (const s of sides) {
  for (const [mode, L] of combos) {
    const p = s.index.resolve({ mode, L, k: 10, width: 4 });
    for (let q = 0; q < s.nq; q++) s.index.searchInto(s.queries, q * s.dim, p, ids, ds, 0); // warm-up
  }
}
for (let r = 0; r < rounds; r++) {
  for (const s of r % 2 === 0 ? sides : [...sides].reverse()) {
    for (const [mode, L] of combos) {
      const key = `${mode} L=${L}`;
      const p = s.index.resolve({ mode, L, k: 10, width: 4 });
      let hops = 0;
      const c0 = process.cpuUsage();
      for (let q = 0; q < s.nq; q++) {
        s.index.searchInto(s.queries, q * s.dim, p, ids, ds, 0);
        hops += s.index.machineFor(mode).stats.hops;
      }
      const c = process.cpuUsage(c0);
      s.cpu.set(key, (s.cpu.get(key) ?? 0) + c.user + c.system);
      s.hops.set(key, (s.hops.get(key) ?? 0) + hops);
    }
  }
}
console.log(`# ${prefix}, ${rounds} rounds, load ${readFileSync("/proc/loadavg", "utf8").trim()}`);
console.log("combination    before µs/hop  after µs/hop  after ÷ before");
for (const [mode, L] of combos) {
  const key = `${mode} L=${L}`;
  const [a, b] = sides.map((s) => s.cpu.get(key)! / s.hops.get(key)!);
  console.log(
    `${key.padEnd(13)}  ${a!.toFixed(2).padStart(13)}  ${b!.toFixed(2).padStart(12)}  ${(b! / a!).toFixed(3).padStart(14)}`,
  );
}
for (const s of sides) s.index.close();
