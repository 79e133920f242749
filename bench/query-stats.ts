// QueryStats per query (reset, 40 hops of field updates, copy into the Workers' flat layout): the class
// derived from search/stat-fields.ts against a hand-written one with the same 13 fields, side by side,
// interleaved rounds. Run: node_modules/.bin/bun bench/query-stats.ts
import { QueryStats } from "../src/search/stats.ts";
class HandWrittenStats {
  reads = 0;
  cacheHits = 0;
  hops = 0;
  rounds = 0;
  pqDistances = 0;
  wastedReads = 0;
  finalWidth = 0;
  latencyUs = 0;
  ioWaitUs = 0;
  cpuUs = 0;
  pqTableUs = 0;
  entryUs = 0;
  ioBusyUs = 0;
  reset(): void {
    this.reads = 0;
    this.cacheHits = 0;
    this.hops = 0;
    this.rounds = 0;
    this.pqDistances = 0;
    this.wastedReads = 0;
    this.finalWidth = 0;
    this.latencyUs = 0;
    this.ioWaitUs = 0;
    this.cpuUs = 0;
    this.pqTableUs = 0;
    this.entryUs = 0;
    this.ioBusyUs = 0;
  }
  writeTo(o: Float64Array, at: number): void {
    o[at] = this.reads;
    o[at + 1] = this.cacheHits;
    o[at + 2] = this.hops;
    o[at + 3] = this.rounds;
    o[at + 4] = this.pqDistances;
    o[at + 5] = this.wastedReads;
    o[at + 6] = this.finalWidth;
    o[at + 7] = this.latencyUs;
    o[at + 8] = this.ioWaitUs;
    o[at + 9] = this.cpuUs;
    o[at + 10] = this.pqTableUs;
    o[at + 11] = this.entryUs;
    o[at + 12] = this.ioBusyUs;
  }
}
type S = {
  reads: number;
  hops: number;
  pqDistances: number;
  ioBusyUs: number;
  ioWaitUs: number;
  latencyUs: number;
  reset(): void;
  writeTo(o: Float64Array, at: number): void;
};
function run(s: S, out: Float64Array, queries: number): number {
  const t0 = performance.now();
  for (let q = 0; q < queries; q++) {
    s.reset();
    for (let h = 0; h < 40; h++) {
      s.reads++;
      s.hops++;
      s.pqDistances += 30;
      s.ioBusyUs += 1.5;
    }
    s.ioWaitUs += 10;
    s.latencyUs = 100;
    s.writeTo(out, (q & 1023) * 13);
  }
  return performance.now() - t0;
}
const out = new Float64Array(1024 * 13);
const a = new HandWrittenStats(),
  b = new QueryStats();
const N = 200_000;
for (let i = 0; i < 3; i++) {
  run(a, out, N);
  run(b, out, N);
}
let ta = 0,
  tb = 0;
for (let r = 0; r < 10; r++) {
  ta += run(a, out, N);
  tb += run(b, out, N);
}
console.log(
  `per query: hand-written ${((ta * 1e6) / (10 * N)).toFixed(1)} ns, schema-derived ${((tb * 1e6) / (10 * N)).toFixed(1)} ns, ratio ${(tb / ta).toFixed(2)}`,
);
