// What a hand-off between the listening thread and a search Worker costs, side by side in one run:
//   postMessage  — the query (dim float32) to the Worker and a small answer back, as messages;
//   waitAsync    — the query written into shared memory, Atomics.notify to the Worker, the answer's
//                  counter bump notified back, heard through Atomics.waitAsync (what ring-channel.ts does).
// Prints wall µs and process CPU µs per round trip, rounds alternating.
//   node_modules/.bin/bun bench/serve-wake.ts [--count 20000] [--dim 784] [--rounds 3]
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "20000" },
    dim: { type: "string", default: "784" },
    rounds: { type: "string", default: "3" },
  },
});
const N = Number(values.count);
const dim = Number(values.dim);

const workerSource = `
self.onmessage = (e) => {
  if (e.data.type === "post") {
    self.onmessage = (m) => self.postMessage({ ids: new Uint32Array(10), n: m.data.length });
    self.postMessage("ready");
    return;
  }
  const ctl = new Int32Array(e.data.control);
  const q = new Float32Array(e.data.queries);
  self.postMessage("ready");
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, 0, seen);
    seen = Atomics.load(ctl, 0);
    if (seen < 0) break;
    ctl[2] = q[0] | 0;
    Atomics.store(ctl, 1, seen);
    Atomics.notify(ctl, 1);
  }
};`;
const url = URL.createObjectURL(new Blob([workerSource], { type: "application/javascript" }));

async function viaPost(): Promise<[number, number]> {
  const w = new Worker(url);
  await new Promise<void>((resolve) => {
    w.onmessage = () => resolve();
    w.postMessage({ type: "post" });
  });
  const query = new Float32Array(dim).fill(1);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let k = 0; k < N; k++) {
    await new Promise<void>((resolve) => {
      w.onmessage = () => resolve();
      w.postMessage(query);
    });
  }
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  w.terminate();
  return [(wall / N) * 1000, (c.user + c.system) / N];
}

async function viaWaitAsync(): Promise<[number, number]> {
  const control = new SharedArrayBuffer(16);
  const queries = new SharedArrayBuffer(dim * 4);
  const ctl = new Int32Array(control);
  const q = new Float32Array(queries);
  const w = new Worker(url);
  await new Promise<void>((resolve) => {
    w.onmessage = () => resolve();
    w.postMessage({ type: "shared", control, queries });
  });
  const query = new Float32Array(dim).fill(1);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let k = 1; k <= N; k++) {
    q.set(query);
    const wait = Atomics.waitAsync(ctl, 1, k - 1);
    Atomics.store(ctl, 0, k);
    Atomics.notify(ctl, 0);
    if (wait.async) await wait.value;
  }
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  Atomics.store(ctl, 0, -1);
  Atomics.notify(ctl, 0);
  w.terminate();
  return [(wall / N) * 1000, (c.user + c.system) / N];
}

console.log(`hand-off round trips, ${N} per variant and round, query of ${dim} float32`);
for (let r = 1; r <= Number(values.rounds); r++) {
  const [pw, pc] = await viaPost();
  const [aw, ac] = await viaWaitAsync();
  console.log(
    `round ${r}: postMessage ${pw.toFixed(1)} µs wall, ${pc.toFixed(1)} µs CPU; ` +
      `shared memory + waitAsync ${aw.toFixed(1)} µs wall, ${ac.toFixed(1)} µs CPU; CPU ratio ${(ac / pc).toFixed(2)}`,
  );
}
process.exit(0);
