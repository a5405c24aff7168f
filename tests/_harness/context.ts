// Copyright 2026 the psbase authors. MIT license.
/**
 * What a scenario's child half gets from the generic child entry
 * (child_main.ts): its options, the base, the stop signal, a seeded PRNG, and
 * the report it fills as it goes.
 *
 * @module
 */

import { Base, PsBase, type RecordOf, type Transaction } from "../../mod.ts";
import type { Engine } from "./race.ts";

/** The child side of one scenario: works on the base, fills `ctx.data`; throws to fail. */
export type ChildBody = (ctx: ChildContext) => Promise<unknown>;

/** One child's view of the race. */
export interface ChildContext {
  /** Its `--name=value` arguments. */
  opt: { [name: string]: string };
  /** `PsBase` or plain `Base` (the negative control). */
  engine: Engine;
  /** The base's folder. */
  base: string;
  /** Its index in the race. */
  index: number;
  /** The numeric option `--name`, or `dflt`; throws when missing. */
  num(name: string, dflt?: number): number;
  /** Opens the base on its engine. */
  open(options?: { checkpointBytes?: number }): Promise<Base>;
  /**
   * What the child reports besides ok/ops/ms. Scenarios fill it as they go, so
   * a child that fails half-way still reports what it was told (e.g. the ids
   * of the inserts that were acknowledged before the failure).
   */
  data: { [key: string]: unknown };
  /** Operations (reads and writes) made so far; scenarios add to it. */
  ops: number;
  /** True once `stop` arrived on stdin (or stdin closed). */
  readonly stopRequested: boolean;
  /** A PRNG seeded from the index (or `--seed`). */
  random(): number;
  /** A random element of `list`. */
  pick<T>(list: T[]): T;
  /** Prints one line on stdout, synchronously. */
  say(line: string): void;
  /** A line on stderr when RACE_TRACE=1. */
  trace(msg: string): void;
}

/**
 * A `PsBase`, a plain `Base`, or a `PgBase` (locked or not) at `path`. The
 * PostgreSQL module is loaded only for a PostgreSQL engine, so file-base
 * children never load a driver.
 */
export async function openEngine(
  engine: Engine,
  path: string,
  options: { checkpointBytes?: number; timeoutMs?: number } = {},
): Promise<Base> {
  if (engine === "pg" || engine === "pg-nolock") {
    const { PgBase } = await import("../../pg.ts");
    const { timeoutMs } = options; // a table has no checkpoints
    const db = new PgBase(path.replace(/^pg:/, ""), timeoutMs === undefined ? {} : { timeoutMs });
    if (engine === "pg") return db;
    const { unlockForTests } = await import("../../_pg/_kind.ts");
    return unlockForTests(db);
  }
  return engine === "ps" ? new PsBase(path, options) : new Base(path, options);
}

/** A shared base at `path`: a `PgBase` for `pg:<table>` (at `DATABASE_URL`), else a `PsBase`. */
export async function sharedBase(path: string): Promise<Base> {
  return await openEngine(path.startsWith("pg:") ? "pg" : "ps", path);
}

/** Reads record `id` inside a transaction (counting one op unless `count` is false); fails loudly if it is missing. */
export async function must(
  ctx: ChildContext,
  tx: Transaction,
  id: number,
  count = true,
): Promise<RecordOf> {
  const r = await tx.get(id);
  if (count) ctx.ops++;
  if (!r) throw new Error(`record ${id} is missing`);
  return r;
}
