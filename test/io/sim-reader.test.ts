// The simulated SectorReader (a StagedReader backend, so staging, retries and short reads run the
// kernel readers' code): same slot rules, seeded reordering/delays that replay exactly, seeded faults
// (EIO, EAGAIN/EINTR, short reads, bytes corrupted in flight), the SectorReader contract's checks.
import { describe, expect, test } from "bun:test";
import { IoError } from "../../src/errors.ts";
import type { SimFault, SimReaderOptions } from "../../src/io/sim-reader.ts";
import { SimReader } from "../../src/io/sim-reader.ts";
import { ReadCompletions } from "../../src/io/reader.ts";

function fileOf(sectors: number): Uint8Array {
  const data = new Uint8Array(sectors * 4096);
  for (let s = 0; s < sectors; s++) data.fill(s + 1, s * 4096, (s + 1) * 4096);
  return data;
}

/** Submits reads of sectors 0..n-1, then polls until all are back; returns the completion order. */
function schedule(seed: number, n: number, extra: Partial<SimReaderOptions> = {}): number[] {
  const r = new SimReader(fileOf(n), { slotBytes: 4096, slotCount: n, seed, minDelayTicks: 1, maxDelayTicks: 6, ...extra });
  const out = new ReadCompletions(n);
  for (let s = 0; s < n; s++) r.submit(s * 4096, 4096);
  const order: number[] = [];
  for (let done = 0; done < n; ) {
    const got = r.poll(out);
    done += got;
    for (let i = 0; i < got; i++) {
      const slot = out.slot[i]!;
      expect(out.error[i]).toBeNull();
      order.push(r.view(slot)[0]! - 1);
      r.release(slot);
    }
  }
  r.close();
  return order;
}

/** The reads each poll returned, as sorted lists (the order within one poll aside). */
function pollSets(seed: number, n: number, extra: Partial<SimReaderOptions> = {}): number[][] {
  const r = new SimReader(fileOf(n), { slotBytes: 4096, slotCount: n, seed, minDelayTicks: 1, maxDelayTicks: 6, ...extra });
  const out = new ReadCompletions(n);
  for (let s = 0; s < n; s++) r.submit(s * 4096, 4096);
  const sets: number[][] = [];
  for (let done = 0; done < n;) {
    const got = r.poll(out);
    const set: number[] = [];
    for (let i = 0; i < got; i++) {
      expect(out.error[i]).toBeNull();
      set.push(r.view(out.slot[i]!)[0]! - 1);
      r.release(out.slot[i]!);
    }
    done += got;
    sets.push(set.sort((x, y) => x - y));
  }
  r.close();
  return sets;
}

describe("SimReader", () => {
  test("returns the bytes of each sector in the slot's view", () => {
    const r = new SimReader(fileOf(4), { slotBytes: 8192, slotCount: 2 });
    const out = new ReadCompletions(2);
    const a = r.submit(4096, 8192)!;
    expect(r.inFlight).toBe(1);
    expect(r.wait(1, out)).toBe(1);
    expect(out.slot[0]).toBe(a);
    const v = r.view(a);
    expect(v[0]).toBe(2);
    expect(v[4096]).toBe(3);
    r.release(a);
    expect(r.inFlight).toBe(0);
    r.close();
  });

  test("same seed → same out-of-order schedule; different seeds differ", () => {
    const a = schedule(11, 16);
    expect(schedule(11, 16)).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(16).keys()]);
    const others = [12, 13, 14].map((s) => schedule(s, 16).join(","));
    expect(others.some((o) => o !== a.join(","))).toBe(true);
    expect(a.join(",")).not.toBe([...Array(16).keys()].join(","));
  });

  test("slots run out and come back; views are refused unless Completed", () => {
    const r = new SimReader(fileOf(4), { slotBytes: 4096, slotCount: 2 });
    const out = new ReadCompletions(2);
    const a = r.submit(0, 4096)!;
    r.submit(4096, 4096);
    expect(r.submit(8192, 4096)).toBeNull();
    expect(() => r.view(a)).toThrow(/InFlight/);
    r.wait(2, out);
    r.release(out.slot[0]!);
    expect(r.submit(8192, 4096)).not.toBeNull();
    r.close();
  });

  test("rejects unaligned, oversized and past-the-end reads", () => {
    const r = new SimReader(fileOf(2), { slotBytes: 4096, slotCount: 2, file: "x.index" });
    expect(() => r.submit(100, 4096)).toThrow(IoError);
    expect(() => r.submit(0, 8192)).toThrow(/exceeds the slot size/);
    expect(() => r.submit(8192, 4096)).toThrow(/past the end of the file/);
    r.close();
  });

  test("injected failures come back as IoError with the slot freed", () => {
    const r = new SimReader(fileOf(3), { slotBytes: 4096, slotCount: 2, failOffsets: [4096], file: "bad.index" });
    const out = new ReadCompletions(2);
    r.submit(4096, 4096);
    expect(r.wait(1, out)).toBe(1);
    const err = out.error[0]!;
    expect(err).toBeInstanceOf(IoError);
    expect(err.errno).toBe(5);
    expect(err.message).toContain("bad.index");
    expect(r.inFlight).toBe(0);
    expect(r.submit(0, 4096)).not.toBeNull(); // the failed slot is free again
    r.close();
  });

  test("close() frees in-flight reads; later calls say the reader is closed", () => {
    const r = new SimReader(fileOf(2), { slotBytes: 4096, slotCount: 2 });
    r.submit(0, 4096);
    r.close();
    r.close();
    expect(() => r.poll(new ReadCompletions(1))).toThrow(/closed/);
  });

  test("retryable faults (EAGAIN/EINTR) are retried inside the same poll: each poll returns what it returns without faults", () => {
    const faults: SimFault[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const clean = pollSets(seed, 24);
      expect(pollSets(seed, 24, { faults: { retry: 0.5 }, onFault: (f) => faults.push(f) })).toEqual(clean);
    }
    expect(faults.length).toBeGreaterThan(20);
    expect(new Set(faults.map((f) => f.kind))).toEqual(new Set(["retry"]));
    expect(new Set(faults.map((f) => f.detail))).toEqual(new Set([4, 11])); // EINTR, EAGAIN
  });

  test("short reads and EIO fail their read with an IoError naming the file and offset; the slot is free", () => {
    for (const [kind, rates, code] of [["short", { shortRead: 1 }, "E_SHORT_READ"], ["eio", { eio: 1 }, "E_IO"]] as const) {
      const r = new SimReader(fileOf(4), { slotBytes: 4096, slotCount: 2, file: "f.index", faults: rates, seed: 9 });
      const out = new ReadCompletions(2);
      r.submit(8192, 4096);
      r.submit(12288, 4096);
      expect(r.wait(2, out)).toBe(2);
      for (let i = 0; i < 2; i++) {
        const err = out.error[i]!;
        expect(err).toBeInstanceOf(IoError);
        expect(err.code).toBe(code);
        expect(err.file).toBe("f.index");
        expect([8192, 12288]).toContain(err.offset);
        expect(err.message).toContain(`f.index at offset ${err.offset}`);
      }
      expect(r.faultCounts[kind]).toBe(2);
      expect(r.slotsHeld).toBe(0);
      r.close();
    }
  });

  test("bytes corrupted in flight arrive as a good read with a few bits flipped", () => {
    const file = fileOf(8);
    const r = new SimReader(file, { slotBytes: 4096, slotCount: 8, faults: { corrupt: 1 }, seed: 3 });
    const out = new ReadCompletions(8);
    for (let s = 0; s < 8; s++) r.submit(s * 4096, 4096);
    expect(r.wait(8, out)).toBe(8);
    let flipped = 0;
    for (let i = 0; i < 8; i++) {
      expect(out.error[i]).toBeNull();
      const v = r.view(out.slot[i]!);
      let diff = 0;
      // Compare with whichever sector the slot read: the majority byte value says which.
      const counts = new Map<number, number>();
      for (const b of v) counts.set(b, (counts.get(b) ?? 0) + 1);
      const value = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      for (let j = 0; j < 4096; j++) if (v[j] !== value) diff++;
      expect(diff).toBeGreaterThanOrEqual(1);
      expect(diff).toBeLessThanOrEqual(4);
      flipped += diff;
      r.release(out.slot[i]!);
    }
    expect(flipped).toBeGreaterThanOrEqual(8);
    expect(r.faultCounts.corrupt).toBe(8);
    r.close();
  });

  test("the same seed injects the same faults at the same reads", () => {
    const run = (seed: number): string => {
      const faults: string[] = [];
      schedule(seed, 32, { faults: { retry: 0.2, corrupt: 0.2 }, onFault: (f) => faults.push(`${f.kind}@${f.offset}/${f.tick}`) });
      return faults.join(",");
    };
    expect(run(21)).toBe(run(21));
    expect(run(21)).not.toBe(run(22));
  });

  test("close() with reads still in the simulated kernel drains them", () => {
    const r = new SimReader(fileOf(8), { slotBytes: 4096, slotCount: 8, minDelayTicks: 5, maxDelayTicks: 9, faults: { retry: 0.5 } });
    for (let s = 0; s < 8; s++) r.submit(s * 4096, 4096);
    r.flush();
    expect(r.pendingInKernel).toBe(8);
    r.close();
    expect(r.pendingInKernel).toBe(0);
    expect(r.inFlight).toBe(0);
  });

  test("a misconfigured errno (EINVAL/EFAULT/EBADF) fails the reader, not one read: every later call throws it", () => {
    for (const seed of [1, 2, 3]) {
      const r = new SimReader(fileOf(8), { slotBytes: 4096, slotCount: 8, file: "m.index", faults: { misconfig: 1 }, seed });
      const out = new ReadCompletions(8);
      for (let s = 0; s < 4; s++) r.submit(s * 4096, 4096);
      let err: unknown = null;
      try {
        r.wait(4, out);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(IoError);
      const io = err as IoError;
      expect(io.code).toBe("E_MISCONFIGURED");
      expect([9, 14, 22]).toContain(io.errno); // EBADF, EFAULT, EINVAL
      expect(io.message).toContain("m.index at offset");
      expect(io.message).toContain("every read would fail");
      expect(() => r.submit(0, 4096)).toThrow(io);
      expect(() => r.poll(out)).toThrow(io);
      expect(() => r.flush()).toThrow(io);
      r.close();
      expect(r.pendingInKernel).toBe(0);
      expect(r.inFlight).toBe(0);
    }
  });
});
