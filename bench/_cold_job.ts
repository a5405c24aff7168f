// Copyright 2026 the psbase authors. MIT license.
/**
 * The child side of `deno task bench:cold` (bench/cold.ts) for Deno
 * children. No imports, so a child loads only its own engine.
 *
 * A cold child runs alone, start to exit, and does the seed's job up to a
 * stage (`--stage=`), so the parent can split its CPU:
 *
 * - `import`: loads the engine's module, nothing more;
 * - `open`: + opens the table at `--base=` and closes it;
 * - `find`: + one transaction (for psbase, the lock) finding the record whose
 *   `key` is `--key=` (an unindexed string unless the table has an index), no
 *   write;
 * - `job`: the seed's job: + updates that record in the same transaction and
 *   commits;
 * - `again`: + the same job again, in the same process, on a second copy of
 *   the table (`--again=`): what the job costs once the engine's code has run
 *   (compiled, its caches warm) but the data is new to the process.
 *
 * Its last line is `done <json>` ({@linkcode Done}); an error exits 1.
 *
 * @module
 */

/** The stages, in order: each does all the work of the ones before it. */
export const STAGES = ["import", "open", "find", "job", "again"] as const;
/** One stage. */
export type Stage = typeof STAGES[number];

/** The options of a cold child. */
export interface ColdArgs {
  base: string;
  key: string;
  stage: Stage;
  /** The second copy of the table, for `again`. */
  again?: string;
}

/** What a cold child prints last. */
export interface Done {
  /** The id of the record found (`find` and `job`). */
  id?: number;
  /** Peak resident set size, KiB (VmHWM), or 0 where /proc is missing. */
  rssKb: number;
  /**
   * CPU (ms) its live threads have run so far, by kind: the main thread (the
   * JavaScript), V8's helper threads (background compilation, GC), and the
   * others (Deno: tokio's, where async file operations run). Empty where
   * /proc is missing.
   */
  threads: Threads;
}

/** CPU time (ms) by kind of thread; see {@linkcode Done}. */
export interface Threads {
  main?: number;
  v8?: number;
  other?: number;
}

/** CPU time of this process's live threads, by kind (Linux /proc/self/task/<tid>/schedstat). */
export function threadCpu(): Threads {
  const out: Threads = {};
  try {
    for (const t of Deno.readDirSync("/proc/self/task")) {
      const dir = `/proc/self/task/${t.name}`;
      const ms = Number(Deno.readTextFileSync(`${dir}/schedstat`).split(" ")[0]) / 1e6;
      const kind = Number(t.name) === Deno.pid
        ? "main"
        : Deno.readTextFileSync(`${dir}/comm`).startsWith("V8 ")
        ? "v8"
        : "other";
      out[kind] = (out[kind] ?? 0) + ms;
    }
  } catch {
    // No /proc.
  }
  return out;
}

/** The child's `--name=value` arguments. */
export function coldArgs(): ColdArgs {
  const out: { [name: string]: string } = {};
  for (const a of Deno.args) {
    const m = /^--([^=]+)=(.*)$/s.exec(a);
    if (m) out[m[1]] = m[2];
  }
  if (!(STAGES as readonly string[]).includes(out.stage)) {
    throw new Error(`cold child: --stage must be one of ${STAGES.join(", ")}`);
  }
  return { base: out.base, key: out.key, stage: out.stage as Stage, again: out.again };
}

/** True when `stage` includes the work of `step`. */
export function reaches(stage: Stage, step: Stage): boolean {
  return STAGES.indexOf(stage) >= STAGES.indexOf(step);
}

/** Prints `done <json>` with the peak RSS and the threads' CPU. */
export function done(id?: number): void {
  let rssKb = 0;
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    rssKb = m ? Number(m[1]) : 0;
  } catch {
    // No /proc.
  }
  const out: Done = { id, rssKb, threads: threadCpu() };
  const bytes = new TextEncoder().encode(`done ${JSON.stringify(out)}\n`);
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}
