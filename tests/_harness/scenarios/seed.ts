// Copyright 2026 the psbase authors. MIT license.
/**
 * The seed scenario (issue 3, from the seed story): a base of `records`
 * records (`key` 1..records, `a = b = key`) plus one counter record; each
 * process runs one transaction that reads its record X_i and the counter,
 * then updates X_i (`a = b = seedValue(i)`, `owner = i`), deletes it, or
 * inserts a new record (`key = INSERTED_KEYS + i`), and increments the
 * counter.
 *
 * Child options: `--counter=<id> --target=<id> --role=update|delete|insert`.
 *
 * @module
 */

import type { RecordOf } from "../../../mod.ts";
import { type ChildContext, must } from "../context.ts";
import type { Scenario } from "../race.ts";
import { INDEXED_SCHEMA, INSERTED_KEYS, lostOf, seedRows } from "./_schema.ts";

/** The value process `i` writes in the seed scenario. */
export const seedValue = (i: number): number => 5_000_000 + i;

/** The seed scenario's role of process `i`: update, delete or insert (one read first in each). */
export const seedRole = (i: number): "update" | "delete" | "insert" =>
  (["update", "delete", "insert"] as const)[i % 3];

/**
 * Issue 3's scenario, from the seed story: a base of `records` records
 * (`key` 1..records, `a = b = key`) plus one counter record; each process
 * runs one transaction that reads its record X_i and then updates it (`a = b
 * = seedValue(i)`, `owner = i`), deletes it, or inserts a new record
 * (`key = INSERTED_KEYS + i`), and increments the counter.
 */
export function seedScenario(records = 5000, o: { indexed?: boolean } = {}): Scenario {
  interface Seeded {
    counter: number;
    ids: number[]; // ids[k] is the id of the record with key k (k >= 1)
  }
  const target = (i: number, n: number) => 1 + i * Math.max(1, Math.floor(records / n));
  return {
    name: "seed",
    async seed(path) {
      const rows = [{ key: 0, a: 0, b: 0, n: 0, note: "counter" }];
      for (let k = 1; k <= records; k++) rows.push({ key: k, a: k, b: k, n: 0, note: "seed" });
      const ids = await seedRows(path, rows, o.indexed ? INDEXED_SCHEMA : undefined);
      return { counter: ids[0], ids } satisfies Seeded;
    },
    args(i, n, seeded) {
      const s = seeded as Seeded;
      return [
        `--counter=${s.counter}`,
        `--target=${s.ids[target(i, n)]}`,
        `--role=${seedRole(i)}`,
        // Indexed: the child finds both records by value, through the indexes.
        ...(o.indexed ? [`--key=${target(i, n)}`] : []),
      ];
    },
    verify(base, outputs, n, seeded, found) {
      const s = seeded as Seeded;
      const c = base.byId.get(s.counter);
      const acked = outputs.filter((o) => o.ok).length;
      if (!c) found.add("damagedRecords", 1, "the counter record is gone");
      else if ((c.n as number) < n) {
        found.add(
          "lostUpdates",
          n - (c.n as number),
          `counter is ${c.n}, expected ${n}; ${acked} processes were told their transaction ` +
            `committed, so ${lostOf(acked, c.n as number)} lost silently`,
        );
      } else if (c.n !== n) found.add("missingChanges", 1, `counter is ${c.n}, expected ${n}`);
      const touched = new Set<number>();
      const inserted = new Map<number, RecordOf[]>();
      for (const r of base.records) {
        if ((r.key as number) >= INSERTED_KEYS) {
          inserted.set(r.key as number, [...(inserted.get(r.key as number) ?? []), r]);
        }
      }
      for (let i = 0; i < n; i++) {
        const k = target(i, n);
        touched.add(k);
        const id = s.ids[k];
        const r = base.byId.get(id);
        const role = seedRole(i);
        const out = outputs[i];
        if (role === "update") {
          if (!r) found.add("missingChanges", 1, `process ${i}: updated record ${id} is gone`);
          else if (r.a !== seedValue(i) || r.b !== seedValue(i) || r.owner !== i) {
            found.add(
              "missingChanges",
              1,
              `process ${i}: record ${id} reads a=${r.a} b=${r.b} owner=${r.owner}, expected ${
                seedValue(i)
              } by ${i}`,
            );
          }
        } else if (role === "delete") {
          if (r) {
            found.add("missingChanges", 1, `process ${i}: deleted record ${id} is still there`);
          }
        } else {
          if (!r || r.key !== k || r.a !== k) {
            found.add("damagedRecords", 1, `process ${i}: record ${id} it only read is changed`);
          }
          const got = inserted.get(INSERTED_KEYS + i) ?? [];
          if (got.length === 0) {
            found.add("missingChanges", 1, `process ${i}: its insert is missing`);
          } else if (got.length > 1) {
            found.add("missingChanges", 1, `process ${i}: its insert is there ${got.length} times`);
          }
          const newId = out?.data.inserted;
          if (out?.ok && got.length && !got.some((g) => g.__id__ === newId)) {
            found.add(
              "missingChanges",
              1,
              `process ${i} was told id ${newId} but its record has id ${got[0].__id__}`,
            );
          }
        }
      }
      let damaged = 0;
      for (let k = 1; k <= records; k++) {
        if (touched.has(k)) continue;
        const r = base.byId.get(s.ids[k]);
        if (!r || r.key !== k || r.a !== k || r.b !== k || r.__version__ !== 0) {
          damaged++;
          if (damaged <= 3) {
            found.add(
              "damagedRecords",
              1,
              `untouched record ${s.ids[k]} (key ${k}) reads ${JSON.stringify(r)}`,
            );
          }
        }
      }
      if (damaged > 3) found.add("damagedRecords", damaged - 3, `${damaged - 3} more`);
      const extra = base.records.filter((r) =>
        (r.key as number) >= INSERTED_KEYS + n ||
        ((r.key as number) >= INSERTED_KEYS && seedRole((r.key as number) - INSERTED_KEYS) !==
            "insert")
      );
      if (extra.length) found.add("damagedRecords", extra.length, "records nobody inserted");
    },
  };
}

/** The child half: see the module doc. */
export async function child(ctx: ChildContext): Promise<void> {
  const { index } = ctx;
  const counter = ctx.num("counter");
  const target = ctx.num("target");
  const role = ctx.opt.role;
  const v = seedValue(ctx.index);
  const db = await ctx.open();
  let inserted: number | undefined;
  let seen: number | undefined;
  try {
    const key = ctx.opt.key === undefined ? undefined : ctx.num("key");
    await db.transaction(async (tx) => {
      let r, c;
      if (key === undefined) {
        r = await must(ctx, tx, target, false);
        c = await must(ctx, tx, counter, false);
      } else {
        [r] = await tx.find({ key });
        [c] = await tx.find({ note: "counter" });
        if (r?.__id__ !== target || c?.__id__ !== counter) {
          throw new Error(`find by key ${key} gave ${r?.__id__}, counter ${c?.__id__}`);
        }
      }
      if (role === "update") await tx.update(r, { a: v, b: v, owner: index });
      else if (role === "delete") await tx.delete(r);
      else if (role === "insert") {
        inserted = await tx.insert({
          key: INSERTED_KEYS + index,
          a: v,
          b: v,
          owner: index,
          note: "insert",
        });
      } else throw new Error(`bad --role ${role}`);
      seen = c.n as number;
      await tx.update(c, { n: seen + 1 });
    });
    ctx.ops += 4; // counted once committed: two reads, two writes
    ctx.data.inserted = inserted;
    ctx.data.seen = seen; // the counter value this committed transaction read
  } finally {
    await db.close();
  }
}
