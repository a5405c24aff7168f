// Copyright 2026 the psbase authors. MIT license.
/**
 * Readers during writers (see {@linkcode readWriteScenario}).
 *
 * Child options: `--role=writer --writers=<w> --ops=<k>`: update / delete /
 * insert its own records (owner = index); reports the final state it
 * expects. `--role=reader [--delay=<ms>]`: reads in a loop until `stop` and
 * reports every violation it saw.
 *
 * @module
 */

import type { RecordOf } from "../../../mod.ts";
import { type ChildContext, must } from "../context.ts";
import type { Scenario } from "../race.ts";
import { sleep } from "../time.ts";
import { INSERTED_KEYS, seedRows } from "./_schema.ts";

/**
 * Readers during writers: `writers` processes own the seed records with
 * `owner = w` (`key % writers`) and update (a = b), delete and insert them
 * (single records and atomic groups of 3), each reporting the final state it
 * expects; the other processes read in a loop until the writers are done
 * (background) and report what they saw wrong: duplicate ids, torn rows
 * (a != b), a deleted record reappearing, a `__version__` going back, a
 * partial group, `count()` != rows in one transaction.
 */
export function readWriteScenario(
  o: { writers: number; opsPerWriter: number; records: number; readDelayMs?: number },
): Scenario {
  return {
    name: "rw",
    async seed(path) {
      const rows = [];
      for (let k = 1; k <= o.records; k++) {
        rows.push({ key: k, a: k, b: k, owner: k % o.writers, note: "seed" });
      }
      await seedRows(path, rows);
      return null;
    },
    args: (i) =>
      i < o.writers
        ? ["--role=writer", `--writers=${o.writers}`, `--ops=${o.opsPerWriter}`]
        : ["--role=reader", `--delay=${o.readDelayMs ?? 0}`],
    background: (i) => i >= o.writers,
    verify(base, outputs, _n, _seeded, found) {
      const expected = new Map<number, number | null>();
      for (const out of outputs.slice(0, o.writers)) {
        for (const [id, v] of (out.data.final as Array<[number, number | null]>) ?? []) {
          expected.set(id, v);
        }
      }
      let lost = 0;
      let missing = 0;
      for (const [id, v] of expected) {
        const r = base.byId.get(id);
        if (v === null) {
          if (r) {
            missing++;
            if (missing <= 3) found.add("missingChanges", 1, `deleted record ${id} is there`);
          }
        } else if (!r || r.a !== v || r.b !== v) {
          lost++;
          if (lost <= 3) {
            found.add(
              "lostUpdates",
              1,
              `record ${id} expected a=b=${v}, reads ${JSON.stringify(r)}`,
            );
          }
        }
      }
      if (lost > 3) found.add("lostUpdates", lost - 3, `${lost - 3} more`);
      if (missing > 3) found.add("missingChanges", missing - 3, `${missing - 3} more`);
      const extra = base.records.filter((r) => !expected.has(r.__id__));
      if (extra.length) {
        found.add("damagedRecords", extra.length, `${extra.length} records no writer accounts for`);
      }
      for (const out of outputs.slice(o.writers)) {
        for (const v of (out.data.violations as string[]) ?? []) {
          found.add("readerViolations", 1, `reader ${out.index}: ${v}`);
        }
      }
    },
  };
}

/** The child half: a writer or a reader, by `--role`. */
export function child(ctx: ChildContext): Promise<void> {
  return ctx.opt.role === "writer" ? rwWriter(ctx) : rwReader(ctx);
}

async function rwWriter(ctx: ChildContext): Promise<void> {
  const { index } = ctx;
  const writers = ctx.num("writers");
  const k = ctx.num("ops");
  const db = await ctx.open();
  try {
    const mine = await db.find({ owner: index });
    ctx.ops++;
    const state = new Map<number, number | null>(mine.map((r) => [r.__id__, r.a as number]));
    const live = mine.map((r) => r.__id__);
    ctx.data.final = state; // a Map: turned into [id, value] pairs when reported
    const deletable = new Set(live);
    for (let s = 0; s < k; s++) {
      const v = 10_000_000 + index * 100_000 + s;
      const key = INSERTED_KEYS + (index + writers * s) * 3;
      switch (s % 5) {
        case 0: { // read-modify-write in a transaction
          const id = ctx.pick(live);
          await db.transaction(async (tx) => {
            const r = await must(ctx, tx, id);
            await tx.update(r, { a: v, b: v });
          });
          ctx.ops++;
          state.set(id, v);
          break;
        }
        case 1: { // read, then update guarded by __version__ (only this process writes it)
          const id = ctx.pick(live);
          const r = await db.get(id);
          if (!r) throw new Error(`own record ${id} vanished`);
          await db.update(r, { a: v, b: v });
          ctx.ops += 2;
          state.set(id, v);
          break;
        }
        case 2: { // delete
          const candidates = live.filter((id) => deletable.has(id));
          const id = ctx.pick(candidates);
          const n = await db.delete(id);
          ctx.ops++;
          if (n !== 1) throw new Error(`delete(${id}) deleted ${n}`);
          state.set(id, null);
          live.splice(live.indexOf(id), 1);
          deletable.delete(id);
          break;
        }
        case 3: { // single insert
          const id = await db.insert({ key, a: v, b: v, owner: index, note: "single" });
          ctx.ops++;
          state.set(id, v);
          live.push(id);
          deletable.add(id);
          break;
        }
        default: { // an atomic group of 3: readers must see all or none
          const ids = await db.insertMany(
            [0, 1, 2].map((g) => ({ key: key + g, a: v, b: v, owner: index, note: `g${v}` })),
          );
          ctx.ops++;
          for (const id of ids) {
            state.set(id, v);
            live.push(id);
          }
        }
      }
    }
  } finally {
    await db.close();
  }
}

async function rwReader(ctx: ChildContext): Promise<void> {
  const delay = ctx.num("delay", 0);
  const db = await ctx.open();
  const violations: string[] = [];
  const flag = (v: string) => {
    if (violations.length < 20) violations.push(v);
  };
  const gone = new Set<number>();
  const maxVersion = new Map<number, number>();
  let lastFull: Set<number> | undefined;
  let lastSig = "";
  let reads = 0;
  let changes = 0;
  try {
    while (!ctx.stopRequested || reads < 6) {
      const kind = reads % 6;
      ctx.trace(`read ${reads} kind ${kind} stop=${ctx.stopRequested}`);
      let rows: RecordOf[] = [];
      let full = false;
      let range: [number, number] | undefined;
      if (kind === 0) {
        rows = await db.select();
        full = true;
      } else if (kind === 1) {
        for await (const r of db) rows.push(r);
        full = true;
      } else if (kind === 2) {
        const lo = Math.floor(ctx.random() * 1000);
        range = [lo, lo + 150];
        rows = await db.select(["key", "a", "b"], { key: range });
      } else if (kind === 3) {
        const [count, all] = await db.transaction(async (tx) =>
          [await tx.count(), await tx.select()] as const
        );
        if (count !== all.length) {
          flag(`count() ${count} != ${all.length} rows, in one transaction`);
        }
        rows = all;
        full = true;
      } else if (kind === 4) {
        rows = await db.find({ note: "single" });
        for (const r of rows) if (r.note !== "single") flag(`find gave note ${r.note}`);
      } else {
        const known = [...maxVersion.keys()];
        for (let j = 0; j < 20 && known.length; j++) {
          const id = ctx.pick(known);
          const r = await db.get(id);
          if (r) rows.push(r);
          else gone.add(id);
        }
        rows = [...new Map(rows.map((r) => [r.__id__, r])).values()];
      }
      ctx.ops++;
      reads++;
      const seen = new Set<number>();
      for (const r of rows) {
        const id = r.__id__;
        if (seen.has(id)) flag(`id ${id} twice in one read (kind ${kind})`);
        seen.add(id);
        if (r.a !== r.b) flag(`torn row ${id}: a=${r.a} b=${r.b} (kind ${kind})`);
        if (gone.has(id)) flag(`deleted record ${id} reappeared (kind ${kind})`);
        const mv = maxVersion.get(id) ?? -1;
        if (r.__version__ < mv) {
          flag(`record ${id} went back from version ${mv} to ${r.__version__}`);
        } else maxVersion.set(id, r.__version__);
        if (range && ((r.key as number) < range[0] || (r.key as number) > range[1])) {
          flag(`select range ${range} returned key ${r.key}`);
        }
      }
      if (full) {
        const groups = new Map<string, number>();
        for (const r of rows) {
          const note = r.note as string;
          if (note.startsWith("g")) groups.set(note, (groups.get(note) ?? 0) + 1);
        }
        for (const [g, n] of groups) if (n !== 3) flag(`group ${g} seen with ${n} of 3 records`);
        if (lastFull) { for (const id of lastFull) if (!seen.has(id)) gone.add(id); }
        lastFull = seen;
        const sig = `${rows.length}:${rows.reduce((s, r) => s + r.__version__, 0)}`;
        if (lastSig && sig !== lastSig) changes++;
        lastSig = sig;
      }
      ctx.trace(`read ${reads} done`);
      // Always a macrotask: a PsBase read that gets the lock at once resolves in
      // microtasks only, and a loop of those would never let stdin's "stop" in.
      await sleep(delay);
    }
    ctx.trace("loop ended");
  } finally {
    await db.close();
  }
  Object.assign(ctx.data, { reads, changes, violations });
}
