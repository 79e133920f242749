import { describe, expect, test } from "bun:test";
import { RingannError } from "../../src/errors.ts";
import { SlotArena, SlotState, heapArenaMemory } from "../../src/io/slots.ts";

describe("SlotArena", () => {
  test("native memory is 4096-aligned and slots are disjoint", () => {
    const arena = new SlotArena(8192, 3);
    expect(arena.memory.address % 4096).toBe(0);
    expect(arena.byteOffset(2)).toBe(16384);
    arena.dispose();
  });

  test("Free → InFlight → Completed → Free, FIFO reuse", () => {
    const arena = new SlotArena(4096, 3, heapArenaMemory(3 * 4096));
    const a = arena.acquire();
    const b = arena.acquire();
    const c = arena.acquire();
    expect([a, b, c]).toEqual([0, 1, 2]);
    expect(arena.acquire()).toBe(-1);
    expect(arena.inFlight).toBe(3);
    arena.complete(b);
    expect(arena.state(b)).toBe(SlotState.Completed);
    arena.release(b);
    arena.fail(a);
    // FIFO: b was freed first, then a.
    expect(arena.acquire()).toBe(b);
    expect(arena.acquire()).toBe(a);
    expect(arena.inFlight).toBe(3);
  });

  test("viewing a slot that is not Completed throws", () => {
    const arena = new SlotArena(4096, 2, heapArenaMemory(2 * 4096));
    expect(() => arena.view(0)).toThrow(/Free, expected Completed/);
    const s = arena.acquire();
    expect(() => arena.view(s)).toThrow(RingannError);
    expect(() => arena.view(s)).toThrow(/InFlight, expected Completed/);
    arena.complete(s);
    expect(arena.view(s).byteLength).toBe(4096);
    arena.release(s);
    expect(() => arena.view(s)).toThrow(/Free/);
    expect(() => arena.release(s)).toThrow(/Free, expected Completed/);
  });

  test("dispose refuses while reads are in flight", () => {
    const arena = new SlotArena(4096, 1, heapArenaMemory(4096));
    arena.acquire();
    expect(() => arena.dispose()).toThrow(/in flight/);
  });
});
