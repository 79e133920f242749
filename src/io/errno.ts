// The errno values ringann meets, their names, and what each one means for a read.
// One table, so every reader takes the same action for the same errno (TigerBeetle's habit).

export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const EIO = 5;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EINVAL = 22;
export const EMFILE = 24;
export const ENOSYS = 38;
export const EOPNOTSUPP = 95;

export type ErrnoAction = "retry" | "fail-read" | "misconfigured";

const TABLE: Record<number, { name: string; action: ErrnoAction; hint: string }> = {
  [EINTR]: { name: "EINTR", action: "retry", hint: "interrupted by a signal" },
  [EAGAIN]: { name: "EAGAIN", action: "retry", hint: "resource temporarily unavailable" },
  [EBUSY]: { name: "EBUSY", action: "retry", hint: "completion queue busy" },
  [EIO]: { name: "EIO", action: "fail-read", hint: "device I/O error" },
  [EFAULT]: { name: "EFAULT", action: "misconfigured", hint: "bad buffer address (a ringann bug)" },
  [EINVAL]: {
    name: "EINVAL",
    action: "misconfigured",
    hint: "invalid argument (unaligned O_DIRECT offset/length/buffer?)",
  },
  [EBADF]: { name: "EBADF", action: "misconfigured", hint: "bad file descriptor" },
  [EPERM]: { name: "EPERM", action: "misconfigured", hint: "operation not permitted" },
  [EACCES]: { name: "EACCES", action: "misconfigured", hint: "permission denied" },
  [ENOENT]: { name: "ENOENT", action: "misconfigured", hint: "no such file" },
  [ENOMEM]: { name: "ENOMEM", action: "misconfigured", hint: "out of memory (or RLIMIT_MEMLOCK too low)" },
  [EMFILE]: { name: "EMFILE", action: "misconfigured", hint: "too many open files" },
  [ENOSYS]: { name: "ENOSYS", action: "misconfigured", hint: "not implemented by this kernel" },
  [EOPNOTSUPP]: { name: "EOPNOTSUPP", action: "misconfigured", hint: "operation not supported" },
};

export function errnoName(errno: number): string {
  return TABLE[errno]?.name ?? `errno ${errno}`;
}

export function errnoAction(errno: number): ErrnoAction {
  return TABLE[errno]?.action ?? "fail-read";
}

export function describeErrno(errno: number): string {
  const entry = TABLE[errno];
  return entry ? `${entry.name} (${entry.hint})` : `errno ${errno}`;
}
