// What the disk does with the two search I/O patterns, without any search: random 4 KiB O_DIRECT
// reads of an index file through the io_uring reader,
//   batch W:    submit W reads, wait for all W, repeat (beam search's pattern);
//   pipeline W: keep W reads in flight, one new read per completion (pipelined search's pattern);
// plus, for a batch, when its k-th read completes. If a batch's reads all complete together, beam
// search loses nothing by waiting for the slowest, and pipelining can only win by overlapping CPU.
// Run: node_modules/.bin/bun bench/search-device.ts [FILE]   (e.g. $DATA/idx/fmnist_R64_L100_disk.index;
// default: the PipeANN fixture index in test/fixtures)
import { join } from "node:path";
import { openSectorReader } from "../src/io/open-reader.ts";
import { ReadCompletions } from "../src/io/reader.ts";

const file = process.argv[2] ?? join(import.meta.dir, "../test/fixtures/pipeann-syn10k/syn10k_disk.index");
const reader = openSectorReader(file, { slotBytes: 4096, slotCount: 64, backend: "uring" });
const sectors = Math.floor(reader.fileBytes / 4096) - 1;
const out = new ReadCompletions(64);
let x = 0x9e3779b9;
const randomOffset = (): number => {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return 4096 * (1 + ((x >>> 0) % sectors));
};
const READS = 4000;

console.log(`${file}: ${sectors} sectors, io_uring, O_DIRECT, ${READS} reads per pattern`);
for (const depth of [1, 2, 4, 8]) {
  const kth = new Float64Array(depth);
  const rounds = READS / depth;
  let t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < depth; i++) reader.submit(randomOffset(), 4096);
    const start = performance.now();
    let got = 0;
    while (got < depth) {
      const n = reader.wait(1, out);
      const t = performance.now() - start;
      for (let i = 0; i < n; i++) {
        kth[got++]! += t;
        reader.release(out.slot[i]!);
      }
    }
  }
  const batchUs = ((performance.now() - t0) * 1000) / READS;
  t0 = performance.now();
  let submitted = 0;
  let done = 0;
  for (; submitted < depth; submitted++) reader.submit(randomOffset(), 4096);
  while (done < READS) {
    const n = reader.wait(1, out);
    for (let i = 0; i < n; i++) {
      reader.release(out.slot[i]!);
      done++;
      if (submitted < READS) {
        reader.submit(randomOffset(), 4096);
        submitted++;
      }
    }
  }
  const pipeUs = ((performance.now() - t0) * 1000) / READS;
  const kthUs = Array.from(kth, (s) => ((s * 1000) / rounds).toFixed(0)).join(" ");
  console.log(
    `depth ${depth}: batch ${batchUs.toFixed(1)} µs/read, pipeline ${pipeUs.toFixed(1)} µs/read ` +
      `(pipeline/batch ${(pipeUs / batchUs).toFixed(2)}); batch k-th completion at ${kthUs} µs`,
  );
}
reader.close();
