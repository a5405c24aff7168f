// Copyright 2026 the psbase authors. MIT license.
/**
 * A lock holder to kill: opens a transaction that writes (the counter, ten
 * inserts, deletes of `victims`), prints `holding` and waits to be killed.
 * Its verify half is in tests/race_test.ts (what the waiters see after the
 * kill).
 *
 * Child options: `--counter=<id> --victims=<id,...>`.
 *
 * @module
 */

import { type ChildContext, must } from "../context.ts";
import { sleep } from "../time.ts";

/** The child half: see the module doc. */
export async function child(ctx: ChildContext): Promise<void> {
  const counter = ctx.num("counter");
  const victims = (ctx.opt.victims ?? "").split(",").filter(Boolean).map(Number);
  const db = await ctx.open();
  await db.transaction(async (tx) => {
    const c = await must(ctx, tx, counter);
    await tx.update(c, { n: 999_999, a: -1, b: -1 });
    for (let k = 0; k < 10; k++) {
      await tx.insert({ key: 9_000_000 + k, a: k, b: k, note: "killed" });
    }
    await tx.delete(victims);
    ctx.say("holding");
    await sleep(600_000); // until SIGKILL
  });
  throw new Error("hold: was not killed");
}
