// The in-memory SectorReader: same slot rules as the kernel readers, seeded reordering/delays that
// replay exactly, error injection, and the argument checks of the SectorReader contract.
import { describe, expect, test } from "bun:test";
import { IoError } from "../../src/errors.ts";
import { MemoryReader } from "../../src/io/memory-reader.ts";
import { ReadCompletions } from "../../src/io/reader.ts";

function fileOf(sectors: number): Uint8Array {
  const data = new Uint8Array(sectors * 4096);
  for (let s = 0; s < sectors; s++) data.fill(s + 1, s * 4096, (s + 1) * 4096);
  return data;
}

/** Submits reads of sectors 0..n-1, then polls until all are back; returns the completion order. */
function schedule(seed: number, n: number): number[] {
  const r = new MemoryReader(fileOf(n), { slotBytes: 4096, slotCount: n, seed, minDelayTicks: 1, maxDelayTicks: 6 });
  const out = new ReadCompletions(n);
  for (let s = 0; s < n; s++) r.submit(s * 4096, 4096);
  const order: number[] = [];
  while (order.length < n) {
    const got = r.poll(out);
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

describe("MemoryReader", () => {
  test("returns the bytes of each sector in the slot's view", () => {
    const r = new MemoryReader(fileOf(4), { slotBytes: 8192, slotCount: 2 });
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
    const r = new MemoryReader(fileOf(4), { slotBytes: 4096, slotCount: 2 });
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
    const r = new MemoryReader(fileOf(2), { slotBytes: 4096, slotCount: 2, file: "x.index" });
    expect(() => r.submit(100, 4096)).toThrow(IoError);
    expect(() => r.submit(0, 8192)).toThrow(/exceeds the slot size/);
    expect(() => r.submit(8192, 4096)).toThrow(/past the end of the file/);
    r.close();
  });

  test("injected failures come back as IoError with the slot freed", () => {
    const r = new MemoryReader(fileOf(3), { slotBytes: 4096, slotCount: 2, failOffsets: [4096], file: "bad.index" });
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
    const r = new MemoryReader(fileOf(2), { slotBytes: 4096, slotCount: 2 });
    r.submit(0, 4096);
    r.close();
    r.close();
    expect(() => r.poll(new ReadCompletions(1))).toThrow(/closed/);
  });
});
