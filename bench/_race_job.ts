// Copyright 2026 the psbase authors. MIT license.
/**
 * The seed's job, as every race child does it (bench/_race_child_*.ts, and
 * the Node children in bench/node/), and the child side of the race
 * protocol for Deno children. No imports, so a child loads only its own
 * engine.
 *
 * The job of child `i`: open the 10K-record table (cold); in one
 * read-modify-write transaction, find its target record by its `key` (a
 * string, unindexed unless the engine's table has an index on it) and read
 * the counter (record 1, by id); then update the target, delete it, or insert
 * a new record (by `i % 3`), and add 1 to the counter; close; exit.
 *
 * Protocol: the parent passes the job as `--job=<json>` (a
 * {@linkcode JobArg}) and the store as `--base=<path>`; the child prints
 * `ready` once loaded, waits for a `go` line on stdin (the start barrier),
 * does the job, prints one line `result <json>` (a {@linkcode ChildResult})
 * and exits 0.
 *
 * @module
 */

/** The record every child increments. */
export const COUNTER_ID = 1;

/** The `key` of the record with id `id` in the seeded table (as bench/_shapes.ts `values`). */
export function keyOf(id: number): string {
  return `user-${String(id - 1).padStart(5, "0")}`;
}

/** What child `index` does. */
export interface Job {
  role: "update" | "delete" | "insert";
  /** The id of the record it finds (by `key`), and updates or deletes. */
  target: number;
  /** The target's `key`, which the child finds it by. */
  key: string;
  /** The value it writes: `n` of the updated or inserted record. */
  value: number;
  /** The record it inserts (`update` sets its `n` and `x` on the target). */
  insert: { key: string; n: number; x: number; d: Date; ok: boolean };
}

/** A {@linkcode Job} as passed on the command line (`d` in ms since the epoch). */
export type JobArg = Omit<Job, "insert"> & { insert: Omit<Job["insert"], "d"> & { d: number } };

/** The job of child `index` (distinct targets for up to 9999 children; never the counter). */
export function job(index: number, rows = 10_000): Job {
  const roles = ["update", "delete", "insert"] as const;
  const target = 2 + (index * 197) % (rows - 1);
  return {
    role: roles[index % 3],
    target,
    key: keyOf(target),
    value: 1_000_000 + index,
    insert: {
      key: `new-${index}`,
      n: 1_000_000 + index,
      x: 1_000_000 + index + 0.5,
      d: new Date(Date.UTC(2024, 0, 1)),
      ok: true,
    },
  };
}

/** `--job=<json>` for child `index`. */
export function jobArg(index: number, rows = 10_000): string {
  const j = job(index, rows);
  const arg: JobArg = { ...j, insert: { ...j.insert, d: j.insert.d.getTime() } };
  return `--job=${JSON.stringify(arg)}`;
}

/** The line a child prints last. */
export interface ChildResult {
  ok: boolean;
  error?: string;
  /** Milliseconds from just before the open to just after the close. */
  ms: number;
  /** Milliseconds from process start to `ready` (runtime start and module loading). */
  readyMs: number;
  /** CPU time of the main thread over the same span (ms; /proc/thread-self/schedstat). */
  cpuMs: number;
  /** Peak resident set size of the process, in KiB (VmHWM), at the end. */
  peakRssKb: number;
  /** The id of the record it inserted. */
  id?: number;
}

/** `--name=value` arguments. */
export function args(): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  for (const a of Deno.args) {
    const m = /^--([^=]+)=(.*)$/s.exec(a);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function say(line: string): void {
  const bytes = new TextEncoder().encode(line + "\n");
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

/** Prints `ready`, then resolves when a `go` line arrives on stdin (or stdin closes). */
export async function barrier(): Promise<number> {
  const readyMs = performance.now();
  say("ready");
  const decoder = new TextDecoder();
  let seen = "";
  const reader = Deno.stdin.readable.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    if (seen.includes("go\n")) break;
  }
  reader.releaseLock();
  return readyMs;
}

/** The process's peak resident set size in KiB (VmHWM), or 0 where /proc is missing. */
export function peakRssKb(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU time the calling thread has run, in ms (Linux /proc/thread-self/schedstat), or NaN. */
export function cpuMs(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/thread-self/schedstat").split(" ")[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/**
 * Waits at the barrier, runs `work` (timed, from just before it opens to
 * just after it closes), prints the result line and exits.
 */
export async function runChild(
  work: (job: Job, path: string) => Promise<{ id?: number }>,
): Promise<never> {
  const a = args();
  const arg = JSON.parse(a.job) as JobArg;
  const j: Job = { ...arg, insert: { ...arg.insert, d: new Date(arg.insert.d) } };
  const readyMs = await barrier();
  const cpu0 = cpuMs();
  const t0 = performance.now();
  let result: ChildResult;
  try {
    const out = await work(j, a.base);
    const ms = performance.now() - t0;
    const cpu = cpuMs() - cpu0;
    result = { ok: true, ms, cpuMs: cpu, readyMs, peakRssKb: peakRssKb(), ...out };
  } catch (e) {
    const ms = performance.now() - t0;
    const cpu = cpuMs() - cpu0;
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    result = { ok: false, error, ms, cpuMs: cpu, readyMs, peakRssKb: peakRssKb() };
  }
  say("result " + JSON.stringify(result));
  Deno.exit(0);
}
