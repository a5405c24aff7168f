// Copyright 2026 the psbase authors. MIT license.
/**
 * Writers to kill at random moments: each commits transactions (an atomic
 * group of 3 inserts + counter += 1) in a loop, printing `committed <s>`
 * after each, until killed. {@linkcode checkStream} checks what is left.
 *
 * Child options: `--counter=<id> [--checkpoint=<bytes>]`.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { RecordOf } from "../../../mod.ts";
import { type ChildContext, must } from "../context.ts";

/** Checks the stream scenario's invariants: groups whole, acked groups there, counter = groups. */
export function checkStream(
  records: RecordOf[],
  acked: Map<number, number>,
  counter: number,
  extraIncrements: number,
): void {
  const groups = new Map<string, RecordOf[]>();
  for (const r of records) {
    if (r.__id__ === counter) continue;
    groups.set(r.note as string, [...(groups.get(r.note as string) ?? []), r]);
  }
  for (const [g, rs] of groups) {
    assert.equal(rs.length, 3, `group ${g} has ${rs.length} of 3 records: half a commit`);
    assert.ok(rs.every((r) => r.a === r.b && `s${r.a}` === g), `group ${g} is damaged`);
  }
  for (const [index, n] of acked) {
    for (let s = 0; s < n; s++) {
      assert.ok(groups.has(`s${index * 1_000_000 + s}`), `child ${index}: acked commit ${s} lost`);
    }
    const beyond = [...groups.keys()].filter((g) => {
      const v = Number(g.slice(1));
      return Math.floor(v / 1_000_000) === index && v % 1_000_000 >= n;
    });
    assert.ok(beyond.length <= 1, `child ${index}: ${beyond.length} commits past its last ack`);
  }
  const c = records.find((r) => r.__id__ === counter)!;
  assert.equal(
    c.n,
    groups.size + extraIncrements,
    "the counter must count exactly the commits kept",
  );
  assert.equal(c.a, groups.size);
}

/** The child half: see the module doc. */
export async function child(ctx: ChildContext): Promise<void> {
  const { index } = ctx;
  const counter = ctx.num("counter");
  const db = await ctx.open({ checkpointBytes: ctx.num("checkpoint", 64 * 1024) });
  for (let s = 0;; s++) {
    await db.transaction(async (tx) => {
      const c = await must(ctx, tx, counter);
      const v = index * 1_000_000 + s;
      await tx.insertMany(
        [0, 1, 2].map((g) => ({ key: v * 3 + g, a: v, b: v, owner: index, note: `s${v}` })),
      );
      await tx.update(c, {
        n: (c.n as number) + 1,
        a: (c.a as number) + 1,
        b: (c.b as number) + 1,
      });
      ctx.ops += 2;
    });
    ctx.say(`committed ${s}`);
  }
}
