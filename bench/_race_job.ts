// Copyright 2026 the psbase authors. MIT license.
/**
 * The seed's job, as every race child does it (bench/_race_child_*.ts), and
 * the child side of the race protocol. No imports, so a child loads only its
 * own engine.
 *
 * The job of child `i`: open the 10K-record table (cold), and in one
 * read-modify-write transaction read its target record and the counter
 * (record 1), then update the target, delete it, or insert a new record
 * (by `i % 3`), and add 1 to the counter; close; exit.
 *
 * Protocol: the child prints `ready` once loaded, waits for a `go` line on
 * stdin (the start barrier), does the job, prints one line `result <json>`
 * (a {@linkcode ChildResult}) and exits.
 *
 * @module
 */

/** The record every child increments. */
export const COUNTER_ID = 1;

/** What child `index` does. */
export interface Job {
  role: "update" | "delete" | "insert";
  /** The record it reads, and updates or deletes. */
  target: number;
  /** The value it writes: `n` of the updated or inserted record. */
  value: number;
  /** The record it inserts (`update` sets its `n` and `x` on the target). */
  insert: { key: string; n: number; x: number; d: Date; ok: boolean };
}

/** The job of child `index` (distinct targets for up to 9999 children). */
export function job(index: number, rows = 10_000): Job {
  const roles = ["update", "delete", "insert"] as const;
  return {
    role: roles[index % 3],
    target: 2 + (index * 197) % (rows - 1),
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

/** The line a child prints last. */
export interface ChildResult {
  ok: boolean;
  error?: string;
  /** Milliseconds from just before the open to just after the close. */
  ms: number;
  /** Milliseconds from process start to `ready` (runtime start and module loading). */
  readyMs: number;
  /** CPU time of the main thread over the same span (ms; /proc/self/schedstat). */
  cpuMs: number;
  /** Peak resident set size of the process, in KiB (VmHWM), at the end. */
  peakRssKb: number;
  /** The id of the record it inserted. */
  id?: number;
  /** Commits it had to retry (Deno KV's optimistic concurrency). */
  retries?: number;
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

/** CPU time the main thread has run, in ms (Linux /proc/self/schedstat), or NaN. */
export function cpuMs(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/self/schedstat").split(" ")[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/**
 * Waits at the barrier, runs `work` (timed, from just before it opens to
 * just after it closes), prints the result line and exits.
 */
export async function runChild(
  work: (job: Job, path: string) => Promise<{ id?: number; retries?: number }>,
): Promise<never> {
  const a = args();
  const index = Number(a.index);
  const j = job(index, Number(a.rows ?? 10_000));
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
