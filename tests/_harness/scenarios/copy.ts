// Copyright 2026 the psbase authors. MIT license.
/**
 * `copyBase(..., { mode: "override" })` killed at random moments (pg.ts;
 * FORMAT.md W3 for a folder, one transaction for a table). The child copies
 * two folders in turn, `--a` and `--b` (different schemas, records and next
 * ids; {@linkcode makeSources}), over its `--base` (a folder, or `pg:<table>`
 * with `--engine=pg`), printing `copied <0|1>` after each copy, until it is
 * killed. {@linkcode verifyCopy} checks that the destination is then exactly
 * one of the two: never missing, empty, or a part of one;
 * {@linkcode killCopies} runs the child and the check, kill after kill.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Base, PsBase } from "../../../mod.ts";
import { copyBase } from "../../../pg.ts";
import { Child } from "../child.ts";
import { type ChildContext, openEngine } from "../context.ts";
import { sleep } from "../time.ts";

/** What a base holds, as compared: its fields' names and types, and its records. */
async function snapshot(db: Base): Promise<string> {
  const schema = Object.entries(db.schema).map(([name, f]) => `${name}:${f.type}`).join(",");
  const rows = [...await db.select()].sort((x, y) => x.__id__ - y.__id__);
  return JSON.stringify({ schema, rows });
}

/**
 * Makes the two sources in `a` and `b`: `a` 2,000 records of (s, n), ids up
 * to 2,400 with gaps; `b` 1,500 records of (t, x, d, ok), some updated. Big
 * enough that a copy takes a while.
 */
export async function makeSources(a: string, b: string): Promise<void> {
  {
    await using db = await new Base(a).create({
      s: { type: "string", index: true },
      n: "int",
    });
    await db.insertMany(Array.from({ length: 2400 }, (_, i) => ({ s: `a${i} `.repeat(4), n: i })));
    await db.delete(await db.find({ n: { in: Array.from({ length: 400 }, (_, i) => i * 6) } }));
  }
  {
    await using db = await new Base(b).create({
      t: "string",
      x: "float",
      d: "date",
      ok: { type: "bool", index: "sorted" },
    });
    await db.insertMany(Array.from({ length: 1500 }, (_, i) => ({
      t: `b${i}`,
      x: i / 7,
      d: new Date(Date.UTC(2024, 0, 1 + (i % 300))),
      ok: i % 2 === 0,
    })));
    await db.update(await db.find({ ok: true }), { x: -1 });
  }
}

/**
 * Checks that the base at `dest` (engine as the child's) is exactly the
 * source `a` or `b`; returns which (0 or 1).
 */
export async function verifyCopy(
  dest: Base,
  sources: { a: string; b: string },
): Promise<0 | 1> {
  const want = await Promise.all([sources.a, sources.b].map(async (p) => {
    await using db = await new Base(p).open();
    return await snapshot(db);
  }));
  await dest.open();
  try {
    const got = await snapshot(dest);
    const which = want.indexOf(got);
    assert.ok(
      which >= 0,
      `the destination is neither source whole: ${got.slice(0, 200)} (${got.length} chars)`,
    );
    return which as 0 | 1;
  } finally {
    await dest.close();
  }
}

/** The child half: copies `--a` and `--b` in turn over its base, forever. */
export async function child(ctx: ChildContext): Promise<void> {
  const sources = [ctx.opt.a, ctx.opt.b];
  for (let k = 0;; k++) {
    const to = await openEngine(ctx.engine, ctx.base);
    await copyBase(new PsBase(sources[k % 2]), to, { mode: "override" });
    ctx.ops++;
    ctx.say(`copied ${k % 2}`);
  }
}

/** What {@linkcode killCopies} runs. */
export interface KillCopies {
  /** The children's `--engine` (`ps`, `pg`). */
  engine: string;
  /** The children's `--base`: a folder, or `pg:<table>`. */
  base: string;
  /** The two sources ({@linkcode makeSources}). */
  sources: { a: string; b: string };
  kills: number;
  /** A kill comes at most this long after the child's first copy. */
  maxDelayMs: number;
  /** A new, unopened handle on the destination, for the check. */
  dest: () => Base;
}

/**
 * Starts the copy child `o.kills` times, kills each with SIGKILL at a random
 * moment after its first copy (the destination then exists, so the next
 * copy replaces it), and checks the destination after each kill
 * ({@linkcode verifyCopy}).
 */
export async function killCopies(o: KillCopies): Promise<void> {
  for (let run = 0; run < o.kills; run++) {
    const child = new Child(run, [
      `--engine=${o.engine}`,
      `--base=${o.base}`,
      "--scenario=copy",
      `--a=${o.sources.a}`,
      `--b=${o.sources.b}`,
    ]);
    try {
      assert.ok(await child.waitFor("ready"), child.stderr);
      await child.send("go");
      assert.ok(await child.waitFor("copied"), child.stderr);
      await sleep(Math.random() * o.maxDelayMs);
    } finally {
      child.kill("SIGKILL");
    }
    assert.equal((await child.exited).signal, "SIGKILL", `child ended by itself: ${child.stderr}`);
    await verifyCopy(o.dest(), o.sources);
  }
}
