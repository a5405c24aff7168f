// Copyright 2026 the psbase authors. MIT license.
/**
 * Lost updates: N processes each increment one counter `times` times, each
 * in a transaction; it must end at exactly N × times.
 *
 * Child options: `--counter=<id> --times=<t>`.
 *
 * @module
 */

import { type ChildContext, must } from "../context.ts";
import type { Scenario } from "../race.ts";
import { lostOf, seedRows } from "./_schema.ts";

/** N processes each increment one counter `times` times, each in a transaction. */
export function counterScenario(times = 20): Scenario {
  return {
    name: "counter",
    async seed(path) {
      const [id] = await seedRows(path, [{ key: 0, a: 0, b: 0, n: 0, note: "counter" }]);
      return id;
    },
    args: (_i, _n, seeded) => [`--counter=${seeded}`, `--times=${times}`],
    verify(base, outputs, n, seeded, found) {
      const c = base.byId.get(seeded as number);
      const want = n * times;
      const acked = outputs.reduce((s, o) => s + ((o.data.acked as number) ?? 0), 0);
      if (!c) return found.add("damagedRecords", 1, "the counter record is gone");
      if ((c.n as number) < want) {
        found.add(
          "lostUpdates",
          want - (c.n as number),
          `counter is ${c.n}, expected ${want}; ${acked} increments were acknowledged, so ${
            lostOf(acked, c.n as number)
          } lost silently`,
        );
      } else if (c.n !== want) {
        found.add("missingChanges", 1, `counter is ${c.n}, expected ${want}`);
      }
      if (c.__version__ !== want) {
        found.add("missingChanges", 1, `counter __version__ is ${c.__version__}, expected ${want}`);
      }
      if (base.records.length !== 1) {
        found.add("damagedRecords", 1, `${base.records.length} records, expected 1`);
      }
    },
  };
}

/** The child half: see the module doc. */
export async function child(ctx: ChildContext): Promise<void> {
  const counter = ctx.num("counter");
  const times = ctx.num("times");
  const db = await ctx.open();
  const seen: number[] = []; // the counter value each committed transaction read
  ctx.data.seen = seen;
  try {
    for (let t = 0; t < times; t++) {
      const n = await db.transaction(async (tx) => {
        const c = await must(ctx, tx, counter, false);
        const read = c.n as number; // update gives c the new value at once
        await tx.update(c, { n: read + 1 });
        return read;
      });
      ctx.ops += 2;
      seen.push(n);
      ctx.data.acked = t + 1; // increments this process was told committed
    }
  } finally {
    await db.close();
  }
}
