// Copyright 2026 the psbase authors. MIT license.
/**
 * The race: spawn N children of a scenario, hold them at the start barrier
 * (each prints `ready`, then waits for `go` on stdin, so they all start
 * together), collect the one JSON `result` line each prints, then inspect
 * the base for anomalies: duplicated ids, lost updates, missing expected
 * changes, damaged untouched records, `count()` not equal to the records
 * iterated, records that fail to read or decode, violations seen by readers,
 * and child errors.
 *
 * `engine: "ps"` runs the children on `PsBase`; `engine: "plain"` on `Base`,
 * with no cross-process lock at all: the negative control, which must show
 * damage with the very same harness. `engine: "pg"` runs them on `PgBase` (the
 * base is then `pg:<table>` in the database at `DATABASE_URL`), and
 * `"pg-nolock"` on `PgBase` without its advisory lock: its negative control.
 *
 * @module
 */

import { join } from "node:path";
import { Anomalies } from "./anomalies.ts";
import { Child, type ChildCommand, type ChildOutput } from "./child.ts";
import { childErrors, inspectBase, type Inspection } from "./inspect.ts";

/**
 * Which engine the children use: `PsBase`, or plain `Base` (no lock: the
 * negative control); `PgBase`, or `PgBase` without its advisory lock.
 */
export type Engine = "ps" | "plain" | "pg" | "pg-nolock";

/** Every engine, for checking a child's `--engine`. */
export const ENGINES: readonly Engine[] = ["ps", "plain", "pg", "pg-nolock"];

/** Whether the engine's bases are PostgreSQL tables (the base is then `pg:<table>`). */
export const isPg = (engine: Engine): boolean => engine === "pg" || engine === "pg-nolock";

/** Options of {@linkcode race}. */
export interface RaceOptions {
  engine: Engine;
  /** The base's folder. */
  base: string;
  /** The child's scenario (see scenarios/mod.ts). */
  scenario: string;
  /** How many processes. */
  processes: number;
  /** Extra arguments of child `i`. */
  args?: (i: number) => string[];
  /** How to start child `i`. Default: {@linkcode DENO_CHILD}. */
  command?: (i: number) => ChildCommand;
  /** Children that run until every other child has finished (then get `stop`). */
  background?: (i: number) => boolean;
  /** Called as children finish. */
  onProgress?: (done: number, total: number) => void;
  /** Called just after `go` was sent to every child. */
  onGo?: () => void;
  /** Kill children still running after this long. Default 180 s. */
  timeoutMs?: number;
}

/** What {@linkcode race} returns. */
export interface RaceRun {
  outputs: ChildOutput[];
  /** Milliseconds from `go` to the last child's end. */
  wallMs: number;
  /** Milliseconds from the first spawn to the last child's end (process start included). */
  totalMs: number;
}

/**
 * Spawns `processes` children, waits until all are `ready`, sends `go` to all
 * at once, waits for them (sending `stop` to background children once the
 * others are done) and returns their outputs.
 */
export async function race(o: RaceOptions): Promise<RaceRun> {
  const t0 = performance.now();
  const timeoutMs = o.timeoutMs ?? 180_000;
  const children: Child[] = [];
  for (let i = 0; i < o.processes; i++) {
    children.push(
      new Child(i, [
        `--engine=${o.engine}`,
        `--base=${o.base}`,
        `--scenario=${o.scenario}`,
        `--index=${i}`,
        `--processes=${o.processes}`,
        ...(o.args?.(i) ?? []),
      ], o.command?.(i)),
    );
  }
  try {
    await Promise.all(children.map((c) => c.waitFor("ready", timeoutMs)));
    const tGo = performance.now();
    await Promise.all(children.map((c) => c.send("go")));
    o.onGo?.();
    let done = 0;
    const finish = (c: Child) =>
      c.finish(timeoutMs).then((out) => {
        o.onProgress?.(++done, o.processes);
        return out;
      });
    const isBg = (c: Child) => o.background?.(c.index) ?? false;
    const fg = Promise.all(children.filter((c) => !isBg(c)).map(finish));
    const bgChildren = children.filter(isBg);
    const bgDone = bgChildren.map(finish);
    const fgOut = await fg;
    await Promise.all(bgChildren.map((c) => c.send("stop")));
    const bgOut = await Promise.all(bgDone);
    const end = performance.now();
    const outputs = [...fgOut, ...bgOut].sort((a, b) => a.index - b.index);
    return { outputs, wallMs: end - tGo, totalMs: end - t0 };
  } finally {
    for (const c of children) c.kill("SIGKILL");
    await Promise.all(children.map((c) => c.exited.catch(() => {})));
  }
}

// ---------------------------------------------------------------------------
// Scenarios

/** A scenario: how to seed, what each child does, and how to check the end. */
export interface Scenario {
  /** The child's scenario name. */
  name: string;
  /** Seeds the fresh base at `path`; returns what children and `verify` need. */
  seed(path: string): Promise<unknown>;
  /** Extra arguments of child `i` of `n`. */
  args(i: number, n: number, seeded: unknown): string[];
  /** Children that run until the others finish. */
  background?(i: number, n: number): boolean;
  /** Checks the base after the race; adds anomalies to `found`. */
  verify(
    base: Inspection,
    outputs: ChildOutput[],
    n: number,
    seeded: unknown,
    found: Anomalies,
  ): void;
}

/** What {@linkcode runScenario} returns. */
export interface ScenarioRun extends RaceRun {
  anomalies: Anomalies;
  /** Operations the children made. */
  ops: number;
  /** The base as read back. */
  inspection: Inspection;
  /** The base's folder. */
  base: string;
  /** What the scenario's `seed` returned. */
  seeded: unknown;
}

/**
 * Seeds a base in a fresh folder under `dir`, races `processes` children of
 * `scenario` on `engine`, inspects the base and returns everything found.
 */
export async function runScenario(
  scenario: Scenario,
  o: {
    engine: Engine;
    processes: number;
    dir: string;
    onProgress?: (done: number, total: number) => void;
    timeoutMs?: number;
    /** How to start child `i` (default: {@linkcode DENO_CHILD}). */
    command?: (i: number) => ChildCommand;
  },
): Promise<ScenarioRun> {
  const unique = `${scenario.name}-${o.engine}-${crypto.randomUUID().slice(0, 8)}`;
  const base = isPg(o.engine) ? `pg:${unique.replaceAll("-", "_")}` : join(o.dir, unique);
  const seeded = await scenario.seed(base);
  const run = await race({
    engine: o.engine,
    base,
    scenario: scenario.name,
    processes: o.processes,
    args: (i) => scenario.args(i, o.processes, seeded),
    background: scenario.background && ((i) => scenario.background!(i, o.processes)),
    onProgress: o.onProgress,
    timeoutMs: o.timeoutMs,
    command: o.command,
  });
  const anomalies = new Anomalies();
  childErrors(run.outputs, anomalies);
  const inspection = await inspectBase(base, anomalies);
  scenario.verify(inspection, run.outputs, o.processes, seeded, anomalies);
  const ops = run.outputs.reduce((s, c) => s + c.ops, 0);
  return { ...run, anomalies, ops, inspection, base, seeded };
}
