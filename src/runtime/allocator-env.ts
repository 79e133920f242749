// Allocator settings for long-running HTTP processes (`ringann serve`, `ringann bench serve`).
// Bun allocates with mimalloc, which hands a page back to the kernel (madvise) once it has been empty
// for `purge_delay` (100 ms by default). A server's per-request garbage empties and refills pages all
// the time, so every cycle pays the madvise, a page fault per 4 KiB to take the page back, and a TLB
// shootdown interrupting the other serving thread — on this VM about 60 µs of system time and another
// ~50 µs on helper threads per search request (docs/benchmarks.md, issue 11, "server CPU per query").
// mimalloc reads its options from the environment once, when the process starts, so the only way in
// is to start again: execve the same executable with the same arguments and MIMALLOC_PURGE_DELAY=-1
// — the same PID, the same stdio, nothing started yet. A MIMALLOC_PURGE_DELAY already in the
// environment is the user's choice and is kept (that is also how the second start knows it is one).
// RINGANN_ALLOCATOR=default turns the re-start off. Off Linux, or if execve fails, nothing changes.
import { dlopen, FFIType, ptr } from "bun:ffi";

/**
 * MIMALLOC_PURGE_DELAY for serving: -1, never return emptied pages (a server reuses them within
 * milliseconds; its RSS stays at its high-water mark instead of cycling). 1 s and 10 s were measured
 * too and still kept the purge thread and its page faults busy (docs/benchmarks.md, issue 11).
 */
export const SERVE_PURGE_DELAY = "-1";

/**
 * The argument vector that starts this same program again: a compiled executable gets its own
 * arguments, a script run by bun gets bun's flags and the script's path first.
 */
export function restartArgv(): string[] {
  const compiled = (process.argv[1] ?? "").startsWith("/$bunfs/");
  return compiled
    ? [process.execPath, ...process.argv.slice(2)]
    : [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
}

/** Whether this process should start again with the serving allocator settings. */
export function wantsAllocatorRestart(env: Record<string, string | undefined> = process.env): boolean {
  return process.platform === "linux" && env.MIMALLOC_PURGE_DELAY === undefined && env.RINGANN_ALLOCATOR !== "default";
}

/**
 * Replaces this process with itself under MIMALLOC_PURGE_DELAY (see the header). Returns only if it
 * did not (not wanted, or execve failed); call it before any Worker, file or socket exists.
 */
export function restartWithServingAllocator(): void {
  if (!wantsAllocatorRestart()) return;
  let execve: (path: number, argv: number, envp: number) => number;
  try {
    const libc = dlopen("libc.so.6", {
      execve: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    });
    execve = libc.symbols.execve as unknown as typeof execve;
  } catch {
    return;
  }
  const env = { ...process.env, MIMALLOC_PURGE_DELAY: SERVE_PURGE_DELAY };
  const cString = (s: string): Buffer => Buffer.from(`${s}\0`, "utf8");
  const argv = restartArgv().map(cString);
  const envp = Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => cString(`${k}=${v}`));
  const table = (strings: Buffer[]): BigUint64Array => {
    const t = new BigUint64Array(strings.length + 1); // NULL-terminated
    for (let i = 0; i < strings.length; i++) t[i] = BigInt(ptr(strings[i]!));
    return t;
  };
  const argvTable = table(argv);
  const envTable = table(envp);
  const path = cString(process.execPath);
  // Returns only on failure (-1); the buffers above stay alive until then.
  execve(ptr(path), ptr(argvTable), ptr(envTable));
}
