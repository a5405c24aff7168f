// Copyright 2026 the psbase authors. MIT license.
/**
 * One process running a list of calls on the base, in order: how a test has
 * "another process" do something. {@linkcode other} runs it and returns the
 * results.
 *
 * Child options: `--ops=<json>`: `[[method, ...args], ...]`.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { ChildOutput } from "../child.ts";
import type { ChildContext } from "../context.ts";
import { type Engine, race } from "../race.ts";

/** The child half: see the module doc. */
export async function child(ctx: ChildContext): Promise<void> {
  const list = JSON.parse(ctx.opt.ops) as Array<[string, ...unknown[]]>;
  const db = await ctx.open();
  const results: unknown[] = [];
  ctx.data.results = results;
  try {
    for (const [method, ...args] of list) {
      const fn = (db as unknown as { [m: string]: (...a: unknown[]) => Promise<unknown> })[
        method
      ];
      if (typeof fn !== "function") throw new Error(`cmd: no method ${method}`);
      results.push((await fn.apply(db, args)) ?? null);
      ctx.ops++;
    }
  } finally {
    await db.close();
  }
}

/**
 * The parent half: runs one child that calls `ops` ([method, ...args]) on the
 * base at `path` (on `engine`); returns its results, and fails unless it
 * succeeded.
 */
export async function other(
  path: string,
  ops: Array<[string, ...unknown[]]>,
  engine: Engine = "ps",
): Promise<unknown[]> {
  const run = await race({
    engine,
    base: path,
    scenario: "cmd",
    processes: 1,
    args: () => [`--ops=${JSON.stringify(ops)}`],
  });
  const out: ChildOutput = run.outputs[0];
  assert.ok(out.ok, out.error);
  return out.data.results as unknown[];
}
