// What a "one listener hands queries to Worker rings" design would add per request: a postMessage of
// the query (784 float32) to a Worker and of the answer (10 ids + 10 distances + stats) back, measured
// as round trips with 8 in flight — process CPU per round trip and latency. Compared against the CPU of
// a whole search request in docs/benchmarks.md (issue 11) to pick reusePort listeners per Worker.
// Run: node_modules/.bin/bun bench/serve-handoff.ts [--count 20000]
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { count: { type: "string", default: "20000" } } });
const count = Number(values.count);
const src = `self.onmessage = (e) => { const { id, vector } = e.data;
  self.postMessage({ id, ids: new Uint32Array(10), distances: new Float32Array(10), stats: { reads: 50, hops: 48, latencyUs: 900, occupancy: 0.9 }, sum: vector[0] }); };`;
const worker = new Worker(URL.createObjectURL(new Blob([src], { type: "application/javascript" })));
const pending = new Map<number, (v: unknown) => void>();
worker.onmessage = (e: MessageEvent<{ id: number }>) => {
  pending.get(e.data.id)!(e.data);
  pending.delete(e.data.id);
};
const roundTrip = (id: number): Promise<unknown> =>
  new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ id, vector: new Float32Array(784) });
  });
for (let i = 0; i < 2000; i++) await roundTrip(i); // warm-up
const lat: number[] = [];
let next = 0;
const c0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < count) {
      const id = next++;
      const t = performance.now();
      await roundTrip(id);
      lat.push(performance.now() - t);
    }
  }),
);
const s = (performance.now() - t0) / 1000;
const c = process.cpuUsage(c0);
lat.sort((a, b) => a - b);
console.log(
  `${count} round trips, 8 in flight: ${(count / s).toFixed(0)}/s, CPU ${((c.user + c.system) / count).toFixed(1)} µs per round trip ` +
    `(both threads), latency p50 ${(lat[Math.floor(count / 2)]! * 1000).toFixed(0)} µs, p99 ${(lat[Math.floor(count * 0.99)]! * 1000).toFixed(0)} µs`,
);
worker.terminate();
