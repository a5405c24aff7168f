// Copyright 2026 the psbase authors. MIT license.
/**
 * Inserts: N processes each insert `perProcess` records, one insert (one
 * commit) at a time, and report the ids they were given.
 *
 * Child options: `--count=<c>`.
 *
 * @module
 */

import type { RecordOf } from "../../../mod.ts";
import type { ChildContext } from "../context.ts";
import { reportedIdDuplicates } from "../inspect.ts";
import type { Scenario } from "../race.ts";
import { seedRows } from "./_schema.ts";

/** N processes each insert `perProcess` records, one insert (one commit) at a time. */
export function insertScenario(perProcess = 100): Scenario {
  return {
    name: "insert",
    seed: (path) => seedRows(path, []),
    args: () => [`--count=${perProcess}`],
    verify(base, outputs, n, _seeded, found) {
      reportedIdDuplicates(outputs, "ids", found);
      const byKey = new Map<number, RecordOf[]>();
      for (const r of base.records) {
        byKey.set(r.key as number, [...(byKey.get(r.key as number) ?? []), r]);
      }
      let lost = 0;
      let twice = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < perProcess; j++) {
          const got = byKey.get(i * perProcess + j) ?? [];
          if (got.length === 0) lost++;
          if (got.length > 1) twice++;
        }
      }
      if (lost) found.add("lostUpdates", lost, `${lost} of ${n * perProcess} inserts are missing`);
      if (twice) found.add("missingChanges", twice, `${twice} inserts are there more than once`);
      const wrong: string[] = [];
      for (const o of outputs) {
        const ids = (o.data.ids as number[] | undefined) ?? [];
        ids.forEach((id, j) => {
          const r = base.byId.get(id);
          if (!r || r.key !== o.index * perProcess + j) {
            wrong.push(`id ${id} (process ${o.index}, insert ${j}) reads ${JSON.stringify(r)}`);
          }
        });
      }
      if (wrong.length) {
        found.add(
          "missingChanges",
          wrong.length,
          `get(id) wrong for ${wrong.length} ids: ${wrong[0]}`,
        );
      }
    },
  };
}

/** The child half: see the module doc. */
export async function child(ctx: ChildContext): Promise<void> {
  const { index } = ctx;
  const count = ctx.num("count");
  const db = await ctx.open();
  const ids: number[] = [];
  ctx.data.ids = ids;
  try {
    for (let j = 0; j < count; j++) {
      ids.push(
        await db.insert({ key: index * count + j, a: j, b: j, owner: index, note: `p${index}` }),
      );
      ctx.ops++;
    }
  } finally {
    await db.close();
  }
}
