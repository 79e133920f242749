// Progress off a terminal: a line at most every 10 s plus the final line; on a terminal, redraws in place.
import { describe, expect, test } from "bun:test";
import { LOG_LINE_INTERVAL_MS, Progress } from "../../src/progress/progress.ts";

function recorder(tty: boolean, stepMs: number) {
  let clock = 0;
  const out: string[] = [];
  const opts = { tty, write: (text: string) => void out.push(text), now: () => clock };
  return { out, opts, tick: () => void (clock += stepMs) };
}

describe("Progress", () => {
  test("off a terminal: 1,000 quick updates print only the final line", () => {
    const r = recorder(false, 1);
    const bar = new Progress("quick", 1000, r.opts);
    for (let i = 1; i <= 1000; i++) {
      r.tick();
      bar.update(i);
    }
    bar.finish();
    expect(r.out).toEqual(["quick: done 1,000 in 1.0s\n"]);
  });

  test("off a terminal: a long phase prints one line per 10 s, then the final line", () => {
    const r = recorder(false, 500); // 100 updates over 50 s
    const bar = new Progress("slow", 100, r.opts);
    for (let i = 1; i <= 100; i++) {
      r.tick();
      bar.update(i);
    }
    bar.finish();
    expect(LOG_LINE_INTERVAL_MS).toBe(10_000);
    expect(r.out.length).toBe(6); // at 10, 20, 30, 40, 50 s, and done
    expect(r.out.every((line) => line.endsWith("\n") && !line.includes("\r"))).toBe(true);
    expect(r.out[0]).toContain("slow ");
    expect(r.out[0]).toContain("20/100");
    expect(r.out[5]).toBe("slow: done 100 in 50.0s\n");
  });

  test("on a terminal: redraws in place, at most ~10 times a second", () => {
    const r = recorder(true, 10); // 100 updates over 1 s
    const bar = new Progress("tty", 100, r.opts);
    for (let i = 1; i <= 100; i++) {
      r.tick();
      bar.update(i);
    }
    bar.finish();
    expect(r.out.length).toBeGreaterThanOrEqual(10);
    expect(r.out.length).toBeLessThanOrEqual(13);
    expect(r.out.every((line) => line.startsWith("\r"))).toBe(true);
  });

  test("quiet prints nothing", () => {
    const r = recorder(false, 20_000);
    const bar = new Progress("q", 10, { ...r.opts, quiet: true });
    for (let i = 1; i <= 10; i++) {
      r.tick();
      bar.update(i);
    }
    bar.finish();
    expect(r.out).toEqual([]);
  });
});
