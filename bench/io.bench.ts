// mitata: the cost of one batch of random 4 KiB O_DIRECT reads at depth 1, 8 and 32 through the
// io_uring reader vs the pread reader. `ringann bench io` gives the IOPS table with fio beside it.
// Run: node_modules/.bin/bun bench/io.bench.ts [FILE]   (FILE defaults to ringann-io.bin in the
// temp dir — give a FILE on a real disk when the temp dir is tmpfs; 1 GiB)
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bench, group, run, summary } from "mitata";
import { ensureBenchFile } from "../src/io/io-benchmark.ts";
import { PreadReader } from "../src/io/pread-reader.ts";
import { ReadCompletions, type SectorReader } from "../src/io/reader.ts";
import { UringReader } from "../src/io/uring-reader.ts";

const file = process.argv[2] ?? join(tmpdir(), "ringann-io.bin");
ensureBenchFile(file, 2 ** 30);

function batchOf(reader: SectorReader, depth: number, out: ReadCompletions, state: { x: number }): void {
  const sectors = Math.floor(reader.fileBytes / 4096);
  for (let i = 0; i < depth; i++) {
    state.x ^= state.x << 13;
    state.x ^= state.x >>> 17;
    state.x ^= state.x << 5;
    reader.submit(((state.x >>> 0) % sectors) * 4096, 4096);
  }
  let done = 0;
  while (done < depth) {
    reader.wait(depth - done, out);
    for (let i = 0; i < out.count; i++) reader.release(out.slot[i]!);
    done += out.count;
  }
}

const readers: SectorReader[] = [];
for (const depth of [1, 8, 32]) {
  group(`${depth} random 4 KiB reads (depth ${depth})`, () => {
    summary(() => {
      for (const [name, make] of [
        ["uring", () => new UringReader(file, { slotBytes: 4096, slotCount: depth })],
        ["pread", () => new PreadReader(file, { slotBytes: 4096, slotCount: depth })],
      ] as const) {
        const reader: SectorReader = make();
        readers.push(reader);
        const out = new ReadCompletions(depth);
        const state = { x: 12345 + depth };
        bench(`${name} depth ${depth}`, () => batchOf(reader, depth, out, state));
      }
    });
  });
}

await run();
for (const r of readers) r.close();
