// The bun:ffi binding to dist/libringann.so (c/uring.c). The library file is imported as a file
// asset so `bun build --compile` embeds it; it is opened on first use, not at import.
import { dlopen, FFIType, type Pointer } from "bun:ffi";
import { RingannError } from "../errors.ts";
import libPath from "../../dist/libringann.so" with { type: "file" };

const { ptr, i32, u32, f64, void: voidT } = FFIType;

const SYMBOLS = {
  rn_alloc_aligned: { args: [f64, u32], returns: ptr },
  rn_free: { args: [ptr], returns: voidT },
  rn_open: { args: [ptr, i32], returns: i32 },
  rn_close: { args: [i32], returns: i32 },
  rn_file_size: { args: [i32], returns: f64 },
  rn_pread: { args: [i32, ptr, u32, f64], returns: i32 },
  rn_ring_create: { args: [u32, u32, ptr], returns: ptr },
  rn_ring_destroy: { args: [ptr], returns: voidT },
  rn_add_file: { args: [ptr, i32], returns: i32 },
  rn_files_registered: { args: [ptr], returns: i32 },
  rn_register_arena: { args: [ptr, ptr, f64], returns: i32 },
  rn_ring_bind: { args: [ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, u32, u32], returns: i32 },
  rn_exchange: { args: [ptr, u32, u32, u32, u32], returns: i32 },
  rn_probe: { args: [], returns: i32 },
  rn_memlock_limit: { args: [], returns: f64 },
} as const;

type NativeLib = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

let lib: NativeLib | null = null;

/** The native symbols; throws a clear error when the library is missing or cannot load. */
export function native(): NativeLib {
  if (lib === null) {
    try {
      lib = dlopen(libPath, SYMBOLS).symbols;
    } catch (err) {
      throw new RingannError(
        "E_NATIVE_MISSING",
        `Cannot load ringann's native library ${libPath}: ${(err as Error).message}. Run \`bash scripts/setup.sh\` (or \`bash scripts/build-native.sh\`) first.`,
      );
    }
  }
  return lib;
}

export function nativeLibraryPath(): string {
  return libPath;
}

/** A NUL-terminated copy of a path for C. */
export function cString(s: string): Uint8Array {
  return new TextEncoder().encode(s + "\0");
}

export type { Pointer };
