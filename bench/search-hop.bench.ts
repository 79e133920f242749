// Where the CPU time of one search hop goes: PQ table (once per query), PQ distances of a node's
// neighbours, the exact distance of the expanded node, decoding its record, visited-set checks and
// queue inserts — each measured with mitata on real records of a real index (a SimReader holds
// the disk file, so no I/O), then a whole search through the same machinery divided by its hops.
// Run: node_modules/.bin/bun bench/search-hop.bench.ts [INDEX_PREFIX] [QUERIES]
//      (default: the PipeANN fixture, 10K × 128 float32, R 32, PQ 32 B)
//      VISITED=hash forces the hashed visited sets (what indexes above 2^24 points use) everywhere.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { openVectorFile } from "../src/format/vector-file.ts";
import type { Vectors } from "../src/format/vector-type.ts";
import { SimReader } from "../src/io/sim-reader.ts";
import { pqDistances } from "../src/math/pq-table.ts";
import { DiskIndex } from "../src/search/disk-index.ts";
import { CandidateQueue } from "../src/search/queue.ts";
import { createVisitedSet, visitedEstimate } from "../src/search/visited.ts";

const prefix = process.argv[2] ?? join(import.meta.dir, "../test/fixtures/pipeann-syn10k/syn10k");
const queriesFile = process.argv[3] ?? join(import.meta.dir, "../test/fixtures/pipeann-syn10k/query.fbin");
const visitedArrayMaxNpts = process.env.VISITED === "hash" ? 0 : undefined;
const disk = new Uint8Array(readFileSync(`${prefix}_disk.index`));
const index = await DiskIndex.open(prefix, {
  ...(visitedArrayMaxNpts === undefined ? {} : { visitedArrayMaxNpts }),
  openReader: (file, g) => new SimReader(disk, { ...g, file, minDelayTicks: 1, maxDelayTicks: 1, shuffle: false }),
});
const qf = openVectorFile(queriesFile);
const nq = Math.min(200, qf.npts);
const queries = qf.readRows(0, nq) as Vectors;
qf.close();
const { meta, context } = index;
const dim = meta.dim;
const M = context.pq.M;
const query = new Float32Array(dim);
for (let j = 0; j < dim; j++) query[j] = queries[j]!;
const table = new Float32Array(context.pq.tableSize);
context.pq.populate(query, 0, table);

// A real record: the medoid's, read through the node source as the search would.
const src = index.source;
const slot = src.submit(0, meta.medoid);
const out = new (await import("../src/io/reader.ts")).ReadCompletions(4);
index.reader.wait(1, out);
src.load(slot, meta.medoid);
const degree = src.degree;
const nbrs = new Uint32Array(degree);
for (let k = 0; k < degree; k++) nbrs[k] = src.nbrs[src.nbrsOffset + k]!;
const dists = new Float32Array(degree);
const queue = new CandidateQueue(100);
// The same kind and size of visited set as the index's machines.
const visited = createVisitedSet(
  meta.npts,
  visitedEstimate(context.maxL, context.maxWidth, meta.R, context.maxMemL),
  visitedArrayMaxNpts,
);
let gen = 0;

console.log(
  `${prefix}: ${meta.npts} × ${dim} ${meta.type} ${index.metric}, R ${meta.R}, PQ ${M} B; one hop = 1 record, ${degree} neighbours; ` +
    `visited sets: ${visited.constructor.name} (capacity ${visited.capacity})`,
);

group("per query", () => {
  bench("PQ table (M × 256)", () => context.pq.populate(query, 0, table));
});
summary(() => {
  group("per hop", () => {
    bench(`PQ distances of ${degree} neighbours`, () => pqDistances(table, context.codes, M, nbrs, degree, dists));
    bench("exact distance of the expanded node", () =>
      do_not_optimize(context.distance(query, 0, src.coords, src.coordsOffset, dim)),
    );
    bench("decode the record (degree check, views)", () => src.load(slot, meta.medoid));
    bench(`visited-set checks of ${degree} neighbours`, () => {
      if ((++gen & 1) === 0) visited.clear();
      let n = 0;
      for (let k = 0; k < degree; k++) if (visited.add(nbrs[k]!)) n++;
      return n;
    });
    // Half the candidates beat the worst entry (the early-search regime; later most lose).
    const candIds = new Uint32Array(degree);
    const candDists = new Float32Array(degree);
    const fill = (): void => {
      queue.reset(100);
      for (let i = 0; i < 100; i++) queue.insert(i, i);
      for (let k = 0; k < degree; k++) {
        candIds[k] = 1000 + k;
        candDists[k] = (k * 37) % 200;
      }
    };
    bench(`queue: ${degree} candidates into a full L = 100 queue, one insert each`, () => {
      fill();
      for (let k = 0; k < degree; k++) {
        const d = candDists[k]!;
        if (d < queue.dists[queue.size - 1]!) queue.insert(candIds[k]!, d);
      }
    });
    bench(`queue: the same as one insertBatch (what a hop does)`, () => {
      fill();
      queue.insertBatch(candIds, candDists, degree);
    });
    bench(`queue: refill only (subtract from the two above)`, () => fill());
  });
});

// Whole queries under mitata too: its allocation column (bytes per iteration) shows that a search
// allocates nothing once warm (the hot loop reuses its machine's scratch).
let nextQuery = 0;
const answerIds = new Uint32Array(10);
const answerDists = new Float32Array(10);
const onDisk = await DiskIndex.open(prefix, {
  backend: "uring",
  ...(visitedArrayMaxNpts === undefined ? {} : { visitedArrayMaxNpts }),
});
group("per query, whole search (L 100, W 4): memory reader, then io_uring", () => {
  for (const ix of [index, onDisk]) {
    for (const mode of ["beam", "pipe"] as const) {
      const p = ix.resolve({ mode, L: 100, k: 10, width: 4 });
      bench(`${mode} search, ${ix.reader.backend}`, () => {
        const q = nextQuery++ % nq;
        ix.searchInto(queries, q * dim, p, answerIds, answerDists, 0);
      });
    }
  }
});

await run();
// Released only now: the decode bench above views this slot's record.
index.reader.release(slot);

// Whole searches through the memory reader: CPU per hop including every bit of bookkeeping.
for (const mode of ["beam", "pipe"] as const) {
  for (const L of [10, 100]) {
    const p = index.resolve({ mode, L, k: 10, width: 4 });
    const ids = new Uint32Array(10);
    const ds = new Float32Array(10);
    for (let q = 0; q < nq; q++) index.searchInto(queries, q * dim, p, ids, ds, 0);
    let hops = 0;
    let table_us = 0;
    let entry_us = 0;
    const t0 = performance.now();
    for (let rep = 0; rep < 3; rep++) {
      for (let q = 0; q < nq; q++) {
        index.searchInto(queries, q * dim, p, ids, ds, 0);
        hops += index.machineFor(mode).stats.hops;
        table_us += index.machineFor(mode).stats.pqTableUs;
        entry_us += index.machineFor(mode).stats.entryUs;
      }
    }
    const us = (performance.now() - t0) * 1000;
    console.log(
      `${mode} L=${L}: ${(us / (3 * nq)).toFixed(1)} µs per query in memory = PQ table ${(table_us / (3 * nq)).toFixed(1)} ` +
        `+ entry graph ${(entry_us / (3 * nq)).toFixed(1)} + ${(hops / (3 * nq)).toFixed(1)} hops × ${((us - table_us - entry_us) / hops).toFixed(2)} µs`,
    );
  }
}
index.close();
onDisk.close();
