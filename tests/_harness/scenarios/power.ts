// Copyright 2026 the psbase authors. MIT license.
/**
 * The power-loss scenario (FORMAT.md, W1-W7, F6): create, an insert,
 * ten transactions with checkpoints every ~1 KiB of log, a cleanup after the
 * fourth, a field added after the sixth and a big commit (W7) as the eighth.
 * Each call that resolves is *acknowledged*; after a power loss at any point,
 * the base must hold every acknowledged change and nothing of a half one.
 *
 * tests/power_loss_test.ts runs these steps on the simulated file layer
 * (tests/_crash_fs.ts); as the harness child `--scenario=power`, they run on
 * the runtime's real file layer under strace, and print `ack <what>` (a
 * synchronous write, so the trace orders it among the file calls) as each call
 * resolves (tests/_power_loss.ts replays that trace).
 *
 * @module
 */

import type { Base } from "../../../mod.ts";
import type { ChildContext } from "../context.ts";
import { openEngine } from "../context.ts";

/** The scenario's schema. */
export const POWER_SCHEMA = {
  k: { type: "int", index: "sorted" },
  v: { type: "string", index: true },
  c: "int",
} as const;

/** What the scenario had acknowledged when the power went. */
export interface Acked {
  created: boolean;
  counter: boolean;
  commit: number;
  schema: boolean;
}

/** Nothing acknowledged yet. */
export const noneAcked = (): Acked => ({
  created: false,
  counter: false,
  commit: 0,
  schema: false,
});

/** Records the acknowledgment `what` (as `ack` lines name it) in `acked`. */
export function applyAck(acked: Acked, what: string): void {
  const m = /^commit (\d+)$/.exec(what);
  if (m) acked.commit = Number(m[1]);
  else if (what === "created" || what === "counter" || what === "schema") acked[what] = true;
  else throw new Error(`Cannot read the acknowledgment ${JSON.stringify(what)}`);
}

/**
 * The steps, on `db` (a base not yet created, with a 1 KiB
 * `checkpointBytes`); `ack` is called as each call resolves. Commit i (a
 * transaction): insert two rows of batch i, delete batch i - 2, set the
 * counter to i. Cleanup after 4; a field added after 6; commit 8 is a big
 * commit (W7: 300 more rows).
 */
export async function powerSteps(db: Base, ack: (what: string) => void): Promise<void> {
  await db.create(POWER_SCHEMA);
  ack("created");
  await db.insert({ k: 0, c: 0 });
  ack("counter");
  for (let i = 1; i <= 10; i++) {
    await db.transaction(async (tx) => {
      const rows: { k: number; v: string }[] = [{ k: i, v: "x".repeat(40) }, {
        k: i,
        v: "y\u{1F600}",
      }];
      if (i === 8) { for (let j = 0; j < 300; j++) rows.push({ k: 1000 + i, v: `big ${j}` }); }
      await tx.insertMany(rows);
      if (i > 2) await tx.delete(await tx.find({ k: i - 2 }));
      const [c] = await tx.find({ k: 0 });
      await tx.update(c, { c: i });
    });
    ack(`commit ${i}`);
    if (i === 4) await db.cleanup();
    if (i === 6) {
      await db.addField("extra", "int", { default: 6 });
      ack("schema");
    }
  }
  await db.close();
}

/** The child: the steps on the real file layer, each acknowledgment printed as `ack <what>`. */
export async function child(ctx: ChildContext): Promise<void> {
  const db = await openEngine(ctx.engine, ctx.base, { checkpointBytes: 1024 });
  await powerSteps(db, (what) => ctx.say(`ack ${what}`));
}
