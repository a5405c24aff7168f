// Copyright 2026 the psbase authors. MIT license.
/**
 * Schema change and cleanup while others work (see {@linkcode schemaScenario}).
 *
 * Child options: `--role=admin --base-count=<n> --inserts=<m>`: addField,
 * setDefault, delete, dropField, cleanup, while `--role=worker
 * --counter=<id> --rounds=<r>` increment and insert, then wait for the new
 * field.
 *
 * @module
 */

import type { Schema } from "../../../mod.ts";
import { type ChildContext, must, sharedBase } from "../context.ts";
import type { Scenario } from "../race.ts";
import { sleep } from "../time.ts";
import { SCHEMA } from "./_schema.ts";

/**
 * Schema change and cleanup while others work: process 0 waits until part of
 * the others' inserts are in, then `addField("tag", "string", { default:
 * "old" })`, later `setDefault("tag", "new")`, then deletes the seed records
 * with an even key, `dropField("scratch")` and `cleanup()`. The others each
 * increment their own counter record and insert records (in transactions that
 * read their insert back, noting the `tag` it got), `rounds` times, then wait
 * until they see `tag`.
 */
export function schemaScenario(o: { rounds: number; records: number }): Scenario {
  interface Seeded {
    counters: number[];
    ids: number[];
  }
  return {
    name: "schema",
    async seed(path) {
      {
        const db = await (await sharedBase(path)).create<Schema>({
          ...SCHEMA,
          scratch: "int",
        });
        try {
          const rows = [];
          for (let k = 1; k <= o.records; k++) {
            rows.push({ key: k, a: k, b: k, note: "seed", scratch: k });
          }
          const ids = await db.insertMany(rows);
          const counters = await db.insertMany(
            Array.from({ length: 64 }, (_, w) => ({ key: -1 - w, a: 0, b: 0, n: 0, note: "ctr" })),
          );
          return { counters, ids } satisfies Seeded;
        } finally {
          await db.close();
        }
      }
    },
    args(i, n, seeded) {
      const s = seeded as Seeded;
      if (i === 0) {
        return [
          "--role=admin",
          `--base-count=${o.records + 64}`,
          `--inserts=${(n - 1) * o.rounds}`,
        ];
      }
      return ["--role=worker", `--counter=${s.counters[i]}`, `--rounds=${o.rounds}`];
    },
    verify(base, outputs, n, seeded, found) {
      const s = seeded as Seeded;
      for (const r of base.records) {
        if (!("tag" in r)) {
          found.add("missingChanges", 1, `record ${r.__id__} has no tag field`);
          break;
        }
        if ("scratch" in r) {
          found.add("missingChanges", 1, `record ${r.__id__} still has the dropped field`);
          break;
        }
      }
      const stillThere: number[] = [];
      const damaged: string[] = [];
      for (let k = 1; k <= o.records; k++) {
        const r = base.byId.get(s.ids[k - 1]);
        if (k % 2 === 0) {
          if (r) stillThere.push(k);
        } else if (!r || r.key !== k || r.a !== k || r.tag !== "old") {
          damaged.push(`seed record key ${k} reads ${JSON.stringify(r)}`);
        }
      }
      found.add(
        "missingChanges",
        stillThere.length,
        `${stillThere.length} deleted seed records are there (keys ${stillThere.slice(0, 5)}...)`,
      );
      found.add("damagedRecords", damaged.length, `${damaged.length} seed records: ${damaged[0]}`);
      for (let i = 1; i < n; i++) {
        const out = outputs[i];
        const c = base.byId.get(s.counters[i]);
        if (!c) found.add("damagedRecords", 1, `counter of process ${i} is gone`);
        else if (c.n !== o.rounds) {
          found.add(
            "lostUpdates",
            Math.max(1, o.rounds - (c.n as number)),
            `counter of process ${i} is ${c.n}, expected ${o.rounds}`,
          );
        }
        const ins = (out.data.inserted as Array<[number, number, unknown]>) ?? [];
        if (out.ok && ins.length !== o.rounds) {
          found.add("missingChanges", 1, `process ${i} reports ${ins.length} inserts`);
        }
        for (const [id, key, tag] of ins) {
          const r = base.byId.get(id);
          if (!r || r.key !== key) {
            found.add("lostUpdates", 1, `insert ${id} (key ${key}) reads ${JSON.stringify(r)}`);
          } else if (r.tag !== (tag ?? "old")) {
            found.add(
              "missingChanges",
              1,
              `insert ${id} had tag ${JSON.stringify(tag)} in its transaction, reads ${
                JSON.stringify(r.tag)
              }`,
            );
          }
        }
        if (out.ok && out.data.sawTag !== true) {
          found.add("missingChanges", 1, `process ${i} never saw the new field`);
        }
      }
      const admin = outputs[0];
      if (admin.ok && admin.data.deleted !== Math.floor(o.records / 2)) {
        found.add("missingChanges", 1, `admin deleted ${admin.data.deleted} records`);
      }
    },
  };
}

/** The child half: the admin or a worker, by `--role`. */
export function child(ctx: ChildContext): Promise<void> {
  return ctx.opt.role === "admin" ? schemaAdmin(ctx) : schemaWorker(ctx);
}

async function schemaAdmin(ctx: ChildContext): Promise<void> {
  const baseCount = ctx.num("base-count");
  const inserts = ctx.num("inserts");
  const db = await ctx.open();
  const at: { [step: string]: number } = {};
  Object.assign(ctx.data, { at, inserts });
  const waitInserted = async (fraction: number) => {
    for (;;) {
      const n = (await db.count()) - baseCount;
      ctx.ops++;
      if (n >= fraction * inserts) return n;
      await sleep(2);
    }
  };
  try {
    at.addField = await waitInserted(0.2);
    await db.addField("tag", "string", { default: "old" });
    ctx.ops++;
    at.setDefault = await waitInserted(0.4);
    await db.setDefault("tag", "new");
    ctx.ops++;
    at.delete = await waitInserted(0.6);
    const evens = (await db.select(["key"], { note: "seed" })).filter((r) =>
      (r.key as number) % 2 === 0
    );
    const deleted = await db.delete(evens);
    await db.dropField("scratch");
    at.cleanup = (await db.count()) - baseCount + deleted;
    await db.cleanup();
    ctx.ops += 4;
    ctx.data.deleted = deleted;
  } finally {
    await db.close();
  }
}

async function schemaWorker(ctx: ChildContext): Promise<void> {
  const { index } = ctx;
  const counter = ctx.num("counter");
  const rounds = ctx.num("rounds");
  const db = await ctx.open();
  const inserted: Array<[number, number, unknown]> = [];
  ctx.data.inserted = inserted;
  try {
    for (let r = 0; r < rounds; r++) {
      await db.transaction(async (tx) => {
        const c = await must(ctx, tx, counter);
        await tx.update(c, { n: (c.n as number) + 1 });
        ctx.ops++;
      });
      const key = 2_000_000 + index * 1000 + r;
      await db.transaction(async (tx) => {
        const id = await tx.insert({ key, a: r, b: r, owner: index, note: "w" });
        const back = await must(ctx, tx, id);
        inserted.push([id, key, back.tag]);
        ctx.ops++;
      });
      const mine = await db.select(["key"], { owner: index });
      ctx.ops++;
      if (mine.length !== r + 1) {
        throw new Error(`after ${r + 1} inserts, select sees ${mine.length} of them`);
      }
    }
    let sawTag = false;
    const until = performance.now() + 30_000;
    while (!sawTag && performance.now() < until) {
      const c = await db.get(counter);
      ctx.ops++;
      sawTag = c !== undefined && "tag" in c;
      if (!sawTag) await sleep(10);
    }
    ctx.data.sawTag = sawTag;
  } finally {
    await db.close();
  }
}
