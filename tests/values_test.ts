// Copyright 2026 the psbase authors. MIT license.
// Every value accepted reads back exactly (FORMAT.md, F5): from the log, from
// a data file after a checkpoint, after a big commit written as a generation
// (W7), and in a fresh process; a value that cannot is refused at insert.

import assert from "node:assert/strict";
import { join } from "node:path";
import { Base } from "../mod.ts";
import { denoFs } from "../_file/_fs_deno.ts";
import { FileStore } from "../_file/_store.ts";
import { LAST_ID } from "../_storage/_schema.ts";
import { withTempDir } from "./_harness/temp.ts";

const SCHEMA = { s: "string", i: "int", f: "float", d: "date", t: "datetime", b: "bool" } as const;

const STRINGS = [
  "",
  "\uFEFF",
  "\uFEFFbom first",
  "\u0000nul",
  "astral \u{1F600}\u{10FFFF}",
  "é\u0301 combining",
  "\r\n\t",
  "x".repeat(5000),
];
const NUMBERS = [-0, 0, 2 ** 53 - 1, -(2 ** 53 - 1), 1];
const FLOATS = [-0, 0.1, -1e-300, 1.7976931348623157e308, 5e-324];
const DATES = [
  new Date(-8.64e15),
  new Date(8.64e15),
  new Date(Date.UTC(1815, 11, 10)),
  new Date(0),
];

function rows() {
  const out = [];
  for (let k = 0; k < STRINGS.length; k++) {
    out.push({
      s: STRINGS[k],
      i: NUMBERS[k % NUMBERS.length],
      f: FLOATS[k % FLOATS.length],
      d: DATES[k % DATES.length],
      t: k % 2 ? DATES[k % DATES.length] : new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 678)),
      b: k % 3 === 0 ? null : k % 3 === 1,
    });
  }
  return out;
}

/** Compares with Object.is (so -0 is not 0) and Dates by time. */
function same(a: unknown, b: unknown, what: string): void {
  if (a instanceof Date && b instanceof Date) return assert.equal(a.getTime(), b.getTime(), what);
  assert.ok(Object.is(a, b), `${what}: ${String(a)} read back as ${String(b)}`);
}

Deno.test("every accepted value reads back exactly from the log, a data file, a big commit and a fresh process (-0, BOM, astral, extremes)", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "v");
    const db = await new Base(path).create(SCHEMA);
    const want = rows();
    const ids: number[] = [];
    for (const r of want) ids.push(await db.insert(r)); // the log
    const big = Array.from({ length: 300 }, (_, k) => want[k % want.length]);
    const bigIds = await db.insertMany(big); // W7: straight to a data file
    const check = async (base: Base<typeof SCHEMA>, stage: string) => {
      for (let k = 0; k < want.length; k++) {
        const r = (await base.get(ids[k]))!;
        for (const f of Object.keys(SCHEMA) as Array<keyof typeof SCHEMA>) {
          const w = want[k][f] ?? null;
          const expected = f === "d" && w instanceof Date
            ? new Date(Math.floor(w.getTime() / 864e5) * 864e5)
            : w;
          same(expected, r[f], `${stage}: record ${k} field ${f}`);
        }
        // Equality finds it by its exact string.
        assert.ok((await base.find({ s: want[k].s })).some((x) => x.__id__ === ids[k]), stage);
      }
      const b0 = (await base.get(bigIds[1]))!;
      same(want[1].s, b0.s, `${stage}: big commit`);
      same(want[1].i, b0.i, `${stage}: big commit`);
    };
    await check(db, "from the log");
    await db.cleanup();
    await check(db, "from a data file");
    await db.close();
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `
        import { Base } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
        const db = await new Base(${JSON.stringify(path)}).open();
        const all = await db.find();
        console.log(JSON.stringify(all.map((r) => [r.s, Object.is(r.i, -0) ? "-0" : r.i, Object.is(r.f, -0) ? "-0" : r.f])));
      `,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const fresh = JSON.parse(new TextDecoder().decode(out.stdout));
    const show = (v: number) => (Object.is(v, -0) ? "-0" : v);
    assert.deepEqual(
      fresh.slice(0, want.length),
      want.map((r) => [r.s, show(r.i), show(r.f)]),
      "a fresh process reads the same values",
    );
  });
});

Deno.test("a string with a lone surrogate is refused at insert, update and setDefault, changing nothing", async () => {
  await withTempDir(async (dir) => {
    await using db = await new Base(join(dir, "v")).create({ s: "string" });
    const id = await db.insert({ s: "ok" });
    for (const bad of ["\uD800", "a\uDC00b", "\uDBFF"]) {
      await assert.rejects(() => db.insert({ s: bad }), /well-formed/);
      const rec = (await db.get(id))!;
      await assert.rejects(() => db.update(rec, { s: bad }), /well-formed/);
      await assert.rejects(() => db.setDefault("s", bad), /well-formed/);
    }
    assert.deepEqual((await db.find()).map((r) => r.s), ["ok"]);
  });
});

Deno.test("ids end at 2^53 − 2 and versions at 2^53 − 1: going past either is a RangeError that writes nothing, and the base stays readable", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "v");
    const fs = { fs: denoFs, sync: true, checkpointBytes: 16384 };
    const store = FileStore.create(path, [{ name: "s", type: "string", default: null }], [], fs);
    // A record at the last version, as an import of a dump can bring (FileStore.restore).
    store.restore([[LAST_ID - 1, Number.MAX_SAFE_INTEGER, "old"]]);
    assert.throws(
      () => store.restore([[LAST_ID + 1, 0, "x"]]),
      /id 9007199254740991 is above 9007199254740990/,
    );
    store.close();
    await using db = await new Base(path).open();
    // One id is left: an insertMany of two is refused whole, even inside a transaction that
    // catches it and commits (all or none).
    await db.transaction(async (tx) => {
      await assert.rejects(tx.insertMany([{ s: "a" }, { s: "b" }]), RangeError);
    });
    assert.equal(await db.count(), 1);
    assert.equal(await db.insert({ s: "last" }), LAST_ID);
    await assert.rejects(db.insert({ s: "past" }), RangeError);
    await assert.rejects(db.insertMany([{ s: "past" }, { s: "past" }]), RangeError);
    const old = (await db.get(LAST_ID - 1))!;
    await assert.rejects(
      db.update(old, { s: "new" }),
      /record 9007199254740989 is at the last version/,
    );
    // A transaction that catches the refusal commits the rest, and no id past the last is taken.
    await db.transaction(async (tx) => {
      await assert.rejects(tx.insertMany([{ s: "past" }]), RangeError);
      await tx.delete(LAST_ID);
      await assert.rejects(tx.insert({ s: "past" }), RangeError);
    });
    await db.cleanup(); // writes the next id into a manifest
    await db.close();
    const again = await new Base(path).open();
    assert.deepEqual((await again.find()).map((r) => [r.__id__, r.s]), [[LAST_ID - 1, "old"]]);
    assert.equal((await again.check()).ok, true);
    await again.close();
  });
});

Deno.test("a field given as undefined is left out: insert gives it its default, update leaves it as it was", async () => {
  await withTempDir(async (dir) => {
    await using db = await new Base(join(dir, "v")).create({
      n: { type: "int", default: 7 },
      s: "string",
    });
    const id = await db.insert({ n: undefined, s: "a" });
    assert.equal((await db.get(id))!.n, 7);
    await db.update((await db.get(id))!, { n: undefined, s: "b" });
    assert.deepEqual({ ...(await db.get(id))! }, { __id__: id, __version__: 1, n: 7, s: "b" });
    await assert.rejects(db.update((await db.get(id))!, { n: undefined }), /no changes given/);
  });
});
