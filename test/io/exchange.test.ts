// One FFI call per batch (c/uring.c rn_exchange) and the read records: the counters the search
// reports as system calls per read, waits answered from the ring without a system call, peek
// leaving queued reads queued, and tags/keys carried from submit() to the completion.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { PreadReader } from "../../src/io/pread-reader.ts";
import { IoCounter, ReadCompletions, type SectorReader } from "../../src/io/reader.ts";
import { chooseSubmitPolicy, measureSubmitCost } from "../../src/io/submit-cost.ts";
import { UringReader } from "../../src/io/uring-reader.ts";
import { tempDir, writePatternFile } from "./helpers.ts";

let tmp: { dir: string; cleanup: () => void };
let file: string;
let content: Uint8Array;

beforeAll(() => {
  tmp = tempDir();
  file = join(tmp.dir, "pattern.bin");
  content = writePatternFile(file, 256, 3);
});
afterAll(() => tmp.cleanup());

function sameBytes(view: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 4096; i++) if (view[i] !== content[offset + i]) return false;
  return true;
}

const readers: [string, () => SectorReader][] = [
  ["io_uring", () => new UringReader(file, { slotBytes: 4096, slotCount: 8 })],
  ["pread", () => new PreadReader(file, { slotBytes: 4096, slotCount: 8 })],
];

for (const [name, open] of readers) {
  describe(`read records (${name})`, () => {
    test("tag and key of each read come back with its slot; retag reaches only reads not yet returned", () => {
      const r = open();
      try {
        const out = new ReadCompletions(8);
        const slots: number[] = [];
        for (let i = 0; i < 6; i++) slots.push(r.submit(i * 4096 * 3, 4096, i % 2, 1000 + i)!);
        expect(r.unsent).toBe(6);
        expect(r.retag(1, 7)).toBe(3); // queued reads count as not returned
        let got = 0;
        while (got < 6) {
          const n = r.wait(6 - got, out);
          for (let i = 0; i < n; i++) {
            const s = out.slot[i]!;
            const k = slots.indexOf(s);
            expect(r.keys[s]).toBe(1000 + k);
            expect(r.tags[s]).toBe(k % 2 === 1 ? 7 : 0);
            expect(sameBytes(r.view(s), k * 4096 * 3)).toBe(true);
            r.release(s);
          }
          got += n;
        }
        expect(r.retag(0, 9)).toBe(0); // every read returned: nothing left to retag
        expect(r.counters[IoCounter.Submitted]).toBe(6);
        expect(r.counters[IoCounter.Reaped]).toBe(6);
      } finally {
        r.close();
      }
    });

    test("peek collects completions without handing queued reads over", () => {
      const r = open();
      try {
        const out = new ReadCompletions(8);
        r.submit(0, 4096, 0, 1);
        r.flush();
        const calls = r.counters[IoCounter.Calls]!;
        r.submit(4096, 4096, 0, 2);
        // Whatever peek returns, the second read stays queued and no system call is made.
        let seen = 0;
        for (let i = 0; i < (name === "pread" ? 1 : 20) && seen === 0; i++) {
          seen += r.peek(out);
          if (name === "io_uring" && seen === 0) Bun.sleepSync(1);
        }
        expect(r.unsent).toBe(1);
        expect(r.counters[IoCounter.Calls]).toBe(calls);
        if (name === "pread") expect(seen).toBe(1); // pread did its read at flush
        for (let i = 0; i < out.count; i++) r.release(out.slot[i]!);
        let rest = r.inFlight;
        while (rest > 0) {
          const n = r.wait(rest, out);
          for (let i = 0; i < n; i++) r.release(out.slot[i]!);
          rest -= n;
        }
        expect(r.unsent).toBe(0);
      } finally {
        r.close();
      }
    });
  });
}

describe("rn_exchange system calls (io_uring)", () => {
  test("one io_uring_enter submits a batch and waits for it; a wait the ring can already answer makes none", () => {
    const r = new UringReader(file, { slotBytes: 4096, slotCount: 8 });
    try {
      const out = new ReadCompletions(8);
      for (let i = 0; i < 4; i++) r.submit(i * 4096, 4096);
      const c0 = r.counters[IoCounter.Calls]!;
      let got = r.wait(4, out);
      // Submit and wait folded into one call (a retry after EINTR would add one).
      expect(r.counters[IoCounter.Calls]! - c0).toBeGreaterThanOrEqual(1);
      expect(r.counters[IoCounter.Calls]! - c0).toBeLessThanOrEqual(got === 4 ? 1 : 4);
      while (got < 4) got += r.wait(4 - got, out);
      for (let i = 0; i < out.count; i++) r.release(out.slot[i]!);

      // Two reads, then wait until both completions sit in the ring (polling only peeks).
      r.submit(10 * 4096, 4096);
      r.submit(11 * 4096, 4096);
      r.flush();
      const c1 = r.counters[IoCounter.Calls]!;
      // Give the device time; with deferred task work the completions are posted by the next wait.
      Bun.sleepSync(20);
      const n = r.wait(2, out);
      const c2 = r.counters[IoCounter.Calls]!;
      expect(n).toBe(2);
      expect(c2 - c1).toBeLessThanOrEqual(1);
      for (let i = 0; i < n; i++) {
        expect(out.error[i]).toBeNull();
        r.release(out.slot[i]!);
      }
      if (!r.deferTaskrun) {
        // Without deferred task work the kernel posts completions by itself: the wait above was free.
        expect(c2 - c1).toBe(0);
        expect(r.counters[IoCounter.FreeReaps]).toBeGreaterThanOrEqual(1);
      }
    } finally {
      r.close();
    }
  });

  test("the submission cost probe reads the file and leaves the reader idle", () => {
    const r = new UringReader(file, { slotBytes: 4096, slotCount: 2 });
    try {
      const cost = measureSubmitCost(r, 4096, 8)!;
      expect(cost.probes).toBe(8);
      expect(cost.submitUs).toBeGreaterThan(0);
      expect(cost.deviceUs).toBeGreaterThan(0);
      expect(r.inFlight).toBe(0);
      expect(["eager", "batch"]).toContain(chooseSubmitPolicy(cost));
    } finally {
      r.close();
    }
  });
});

describe("chooseSubmitPolicy", () => {
  test("batches where a submission is dear next to a read, sends at once where it is cheap", () => {
    expect(chooseSubmitPolicy({ submitUs: 35, deviceUs: 120, probes: 24 })).toBe("batch"); // virtio: a VM exit per call
    expect(chooseSubmitPolicy({ submitUs: 1.5, deviceUs: 80, probes: 24 })).toBe("eager"); // bare-metal NVMe
    expect(chooseSubmitPolicy(null)).toBe("eager"); // pread, or not measured
  });
});
