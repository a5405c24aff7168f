// Copyright 2026 the psbase authors. MIT license.
/**
 * A writer killed at random moments (FORMAT.md, W1-W3, F6), on a plain
 * `Base` of its own. Commit c (a transaction): insert 1 + c % 4 rows of batch
 * c, delete the rows of batch c - 3, set the counter record's `last` to c;
 * the child prints `acked <c>` once its promise resolved, until it is
 * killed. Every 7th commit also runs cleanup(); commit 20 adds a field.
 * Checkpoints are frequent. {@linkcode verify} checks what is left.
 *
 * The base is the child's `--base`; it is created on first use.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Base, BaseExistsError } from "../../../mod.ts";
import type { ChildContext } from "../context.ts";

/** Checks the base is exactly the state after commit C, for some C in [lo, hi]; returns C. */
export async function verify(path: string, lo: number, hi: number): Promise<number> {
  const db = await new Base(path).open();
  try {
    const [counter] = await db.find({ batch: 0 });
    const c = counter.last as number;
    assert.ok(c >= lo && c <= hi, `counter ${c} not in [${lo}, ${hi}]: an acked commit was lost`);
    const all = await db.select();
    assert.equal(await db.count(), all.length, "count() must equal the records read");
    const byBatch = new Map<number, number>();
    for (const r of all) byBatch.set(r.batch as number, (byBatch.get(r.batch as number) ?? 0) + 1);
    for (let b = 1; b <= c; b++) {
      const want = b > c - 3 ? 1 + b % 4 : 0;
      assert.equal(byBatch.get(b) ?? 0, want, `batch ${b} after commit ${c}: half a commit?`);
    }
    assert.equal([...byBatch.keys()].filter((b) => b > c).length, 0, "rows of a later commit");
    // addField runs after commit 20 is acked: at exactly 20 it may or may not have landed.
    if (c !== 20) assert.equal("extra" in all[0], c > 20, "the schema change follows commit 20");
    return c;
  } finally {
    await db.close();
  }
}

/** The child half: commits forever, printing `acked <c>` after each commit. */
export async function child(ctx: ChildContext): Promise<void> {
  const db = new Base(ctx.base, { checkpointBytes: 2048 });
  try {
    await db.create({
      batch: { type: "int", index: "sorted" },
      k: "int",
      last: "int",
      label: { type: "string", index: true },
    });
  } catch (e) {
    if (!(e instanceof BaseExistsError)) throw e;
    await db.open(); // its own schema: commit 20 adds a field
  }
  let [counter] = await db.find({ batch: 0 });
  if (!counter) {
    await db.insert({ batch: 0, last: 0 });
    [counter] = await db.find({ batch: 0 });
  }
  let c = counter.last as number;
  // Killed between commit 20 and its schema change: make it now.
  if (c >= 20 && !("extra" in db.schema)) await db.addField("extra", "int", { default: 20 });
  ctx.say(`start ${c}`);
  for (;;) {
    c++;
    await db.transaction(async (tx) => {
      const rows = Array.from({ length: 1 + c % 4 }, (_, k) => ({
        batch: c,
        k,
        label: `batch ${c} row ${k} `.repeat(3),
      }));
      await tx.insertMany(rows);
      if (c > 3) await tx.delete(await tx.find({ batch: c - 3 }));
      const [cur] = await tx.find({ batch: 0 });
      await tx.update(cur, { last: c });
    });
    ctx.say(`acked ${c}`);
    if (c % 7 === 0) await db.cleanup();
    if (c === 20) await db.addField("extra", "int", { default: 20 });
  }
}
