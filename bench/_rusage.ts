// Copyright 2026 the psbase authors. MIT license.
/**
 * Whole-process CPU time of child processes, from the OS: libc's
 * `getrusage(RUSAGE_CHILDREN)` through FFI (`--allow-ffi`). It sums user +
 * system time over every thread of every child this process has reaped
 * (waited for), so the CPU a child used is the growth of that sum across its
 * run: run children one at a time and take the delta per child, or take the
 * delta over a race of N concurrent children and divide by N for the mean.
 *
 * Only children reaped between two readings count: await every child's exit
 * (`Deno.ChildProcess.status`) before reading again, and start no other
 * process in between.
 *
 * @module
 */

/** `RUSAGE_CHILDREN` (Linux and macOS). */
const RUSAGE_CHILDREN = -1;

/** Where libc is, by OS. */
const LIBC: { [os: string]: string } = {
  linux: "libc.so.6",
  darwin: "libSystem.B.dylib",
};

type Libc = Deno.DynamicLibrary<{
  getrusage: { parameters: ["i32", "buffer"]; result: "i32" };
}>;

let libc: Libc | undefined;
let failure = "";

/** `struct rusage`: two `struct timeval` (16 bytes each on 64-bit) and 14 longs. */
const usage = new BigInt64Array(18);
/** The same bytes as 32-bit words: `tv_usec` is below 10^6, so its low word is all of it. */
const words = new Int32Array(usage.buffer);

function load(): Libc {
  if (libc) return libc;
  if (failure) throw new Error(failure);
  const name = LIBC[Deno.build.os];
  try {
    if (!name) throw new Error(`no libc known for ${Deno.build.os}`);
    libc = Deno.dlopen(name, { getrusage: { parameters: ["i32", "buffer"], result: "i32" } });
    return libc;
  } catch (e) {
    failure = "whole-process CPU needs libc's getrusage through FFI: run with --allow-ffi (or " +
      `--allow-all) on Linux or macOS (${name ?? Deno.build.os}: ${
        e instanceof Error ? e.message : e
      })`;
    throw new Error(failure);
  }
}

/**
 * CPU time (user + system, all threads, ms) of every child process reaped so
 * far. Throws with what is missing when FFI or libc is not available.
 */
export function childrenCpuMs(): number {
  const rc = load().symbols.getrusage(RUSAGE_CHILDREN, usage);
  if (rc !== 0) throw new Error(`getrusage(RUSAGE_CHILDREN) failed (${rc})`);
  // ru_utime = { tv_sec, tv_usec } at 64-bit words 0, 1; ru_stime at 2, 3 (tv_usec is a 32-bit
  // int followed by padding on macOS, a long on Linux: its low 32-bit word holds it on both).
  return Number(usage[0] + usage[2]) * 1e3 + (words[2] + words[6]) / 1e3;
}

/**
 * Whether {@linkcode childrenCpuMs} works here; otherwise the reason, to
 * print before giving up.
 */
export function rusageProblem(): string | undefined {
  try {
    childrenCpuMs();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Runs `fn` (which must reap every child it starts) and returns its result and the children's CPU (ms). */
export async function withChildrenCpu<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const before = childrenCpuMs();
  const out = await fn();
  return [out, childrenCpuMs() - before];
}
