// Placing search Workers on the cores this process has (issue 15): the CPU list and core count,
// "threads": "auto", the wait strategy against the cores, per-thread scheduler counters from /proc
// and their attribution to roles, and the config fields that carry them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { availableParallelism } from "node:os";
import { ConfigError } from "../../src/errors.ts";
import { planFromJson } from "../../src/run/config/config.ts";
import type { SearchStep } from "../../src/run/config/plan.ts";
import { allowedCpus, availableCores, makeYield, parseCpuList } from "../../src/run/exec/os-thread.ts";
import {
  currentThreadId,
  readThreadCounters,
  runThreadStats,
  sampleProcessThreads,
  sumWorkers,
  threadRole,
  type ThreadSample,
} from "../../src/run/exec/thread-stats.ts";
import { effectiveWait } from "../../src/run/exec/wait-strategy.ts";
import { tempDir } from "../io/helpers.ts";

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = tempDir("ringann-threads-");
});
afterAll(() => tmp.cleanup());

describe("cores", () => {
  test("CPU lists parse like the kernel writes them", () => {
    expect(parseCpuList("0-1")).toEqual([0, 1]);
    expect(parseCpuList("0,2-4,7\n")).toEqual([0, 2, 3, 4, 7]);
    expect(parseCpuList("3")).toEqual([3]);
  });

  test("the cores counted are the ones this process may run on", () => {
    expect(allowedCpus().length).toBe(availableCores());
    expect(availableCores()).toBe(availableParallelism());
  });

  test("a child confined to one CPU sees one core", () => {
    const cpu = allowedCpus()[0]!;
    const script =
      `import { availableCores, allowedCpus } from ${JSON.stringify(`${import.meta.dir}/../../src/run/exec/os-thread.ts`)};` +
      "console.log(JSON.stringify([availableCores(), allowedCpus()]));";
    const out = Bun.spawnSync(["taskset", "-c", String(cpu), process.execPath, "-e", script], {
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout.toString())).toEqual([1, [cpu]]);
  });

  test("sched_yield is callable (the yield wait)", () => {
    const y = makeYield();
    expect(y).not.toBeNull();
    y!();
  });
});

describe("wait strategy", () => {
  test("spin stays spin while a core is left over, and becomes yield when the Workers fill the cores", () => {
    expect(effectiveWait("spin", 1, 2)).toEqual({ wait: "spin", note: null });
    const full = effectiveWait("spin", 2, 2);
    expect(full.wait).toBe("yield");
    expect(full.note).toContain("2 Workers on 2 cores");
    expect(effectiveWait("spin", 4, 2).wait).toBe("yield");
    expect(effectiveWait("block", 8, 2)).toEqual({ wait: "block", note: null });
    expect(effectiveWait("yield", 1, 2)).toEqual({ wait: "yield", note: null });
  });
});

describe("thread counters", () => {
  test("this thread's counters come from /proc and grow with work", () => {
    const dir = `/proc/self/task/${currentThreadId()}`;
    expect(currentThreadId()).toBe(process.pid); // the test runs on the main thread
    const a = readThreadCounters(dir)!;
    let s = 0;
    let b = a;
    const t0 = performance.now();
    // Until 10 ms of CPU show (however loaded the machine), or 20 s pass.
    while (b.cpuNs - a.cpuNs < 1e7 && performance.now() - t0 < 20_000) {
      for (let i = 0; i < 100_000; i++) s += Math.sqrt(s + 1);
      b = readThreadCounters(dir)!;
    }
    expect(s).toBeGreaterThan(0);
    expect(b.cpuNs - a.cpuNs).toBeGreaterThanOrEqual(1e7);
    expect(b.runQueueNs).toBeGreaterThanOrEqual(a.runQueueNs);
    expect(b.voluntary).toBeGreaterThanOrEqual(a.voluntary);
    expect(Number.isInteger(b.involuntary)).toBe(true);
  });

  test("every thread of the process is sampled, the main thread among them", () => {
    const threads = sampleProcessThreads();
    expect(threads.length).toBeGreaterThanOrEqual(1);
    const main = threads.find((t) => t.tid === process.pid)!;
    expect(main.counters.cpuNs).toBeGreaterThan(0);
  });

  test("roles: main, Workers by id, JavaScriptCore's compiler and collector threads", () => {
    const workers = new Set([101, 102]);
    expect(threadRole(process.pid, "ringann", workers)).toBe("main");
    expect(threadRole(101, "Worker", workers)).toBe("worker");
    expect(threadRole(103, "Worker", workers)).toBe("other"); // another pool's Worker is not this run's
    expect(threadRole(104, "JITWorker", workers)).toBe("jit");
    expect(threadRole(105, "HeapHelper", workers)).toBe("gc");
    expect(threadRole(106, "ollector Thread", workers)).toBe("gc");
    expect(threadRole(107, "mi-scavenger", workers)).toBe("other");
  });

  test("a run's counters are the differences, by role; threads born during the run count from zero", () => {
    const c = (cpuMs: number, runqMs: number, v: number, iv: number) => ({
      cpuNs: cpuMs * 1e6,
      runQueueNs: runqMs * 1e6,
      voluntary: v,
      involuntary: iv,
    });
    const before: ThreadSample[] = [
      { tid: process.pid, name: "ringann", counters: c(100, 5, 10, 1) },
      { tid: 201, name: "Worker", counters: c(50, 1, 3, 0) },
      { tid: 202, name: "Worker", counters: c(60, 2, 4, 1) },
      { tid: 203, name: "JITWorker", counters: c(30, 0, 2, 0) },
    ];
    const after: ThreadSample[] = [
      { tid: process.pid, name: "ringann", counters: c(101, 5, 12, 1) },
      { tid: 201, name: "Worker", counters: c(450, 21, 403, 7) },
      { tid: 202, name: "Worker", counters: c(360, 42, 304, 11) },
      { tid: 203, name: "JITWorker", counters: c(50, 1, 5, 1) },
      { tid: 204, name: "HeapHelper", counters: c(3, 0, 1, 0) },
    ];
    const s = runThreadStats(before, after, [202, 201]);
    expect(s.workers[0]).toEqual(c(300, 40, 300, 10)); // Worker 0 is tid 202
    expect(s.workers[1]).toEqual(c(400, 20, 400, 7));
    expect(sumWorkers(s)).toEqual(c(700, 60, 700, 17));
    expect(s.main).toEqual(c(1, 0, 2, 0));
    expect(s.jit).toEqual(c(20, 1, 3, 1));
    expect(s.gc).toEqual(c(3, 0, 1, 0));
    expect(s.other).toEqual(c(0, 0, 0, 0));
  });
});

describe("config", () => {
  const job = (extra: Record<string, unknown>) => ({
    jobs: [{ type: "sweep", index: "i", queries: "q.fbin", gt: "g.bin", ...extra }],
  });
  const plan = (extra: Record<string, unknown>) =>
    planFromJson(job(extra), { source: "t.json", baseDir: tmp.dir, defaultName: "t", checkFiles: false });
  const step = (extra: Record<string, unknown>) => plan(extra).steps[0] as SearchStep;
  const problems = (extra: Record<string, unknown>): string[] => {
    try {
      plan(extra);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return [...(err as ConfigError).problems];
    }
    throw new Error("expected a ConfigError");
  };

  test('threads "auto" is one Worker per available core', () => {
    expect(step({ threads: "auto" }).threads).toEqual([availableCores()]);
    expect(step({}).threads).toEqual([1]);
    expect(step({ threads: [1, 2] }).threads).toEqual([1, 2]);
  });

  test("more Workers than cores is allowed, with a note", () => {
    const p = plan({ threads: [1, availableCores() + 1] });
    expect(
      p.notes.some((n) =>
        n.startsWith(`jobs[0].threads: ${availableCores() + 1} Workers on ${availableCores()} available core`),
      ),
    ).toBe(true);
  });

  test("wait: block by default, spin from the older spin flag, a bad value named", () => {
    expect(step({}).wait).toBe("block");
    expect(step({ spin: true }).wait).toBe("spin");
    expect(step({ wait: "yield" }).wait).toBe("yield");
    expect(problems({ wait: "sleep" })[0]).toStartWith('jobs[0].wait: expected "block" | "spin" | "yield"');
    expect(problems({ spin: true, wait: "block" })[0]).toContain(
      '"spin": true asks for wait "spin", but wait is "block"',
    );
    expect(problems({ threads: "all" })[0]).toStartWith(
      'jobs[0].threads: expected "auto" (one Worker per available core) or an integer',
    );
  });
});
