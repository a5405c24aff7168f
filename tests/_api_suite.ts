// Copyright 2026 the psbase authors. MIT license.
// The API contract, one suite for every kind of base: tests/api_test.ts runs
// it against Base, PsBase and PgBase, so that the three cannot drift. What
// is specific to one storage (files on disk, damage, checkpoints; a table's
// catalog) stays in that storage's own test file.

import assert from "node:assert/strict";
import {
  type Base,
  BaseExistsError,
  BaseNotFoundError,
  ConflictError,
  type RecordOf,
  ResultSet,
  TransactionError,
} from "../mod.ts";
import { codecOf } from "../_field/_list.ts";

/** Where a case makes its bases: a fresh place (folder, table prefix) for each case. */
export interface Place {
  /** The kind under test: "Base", "PsBase" or "PgBase". */
  kind: string;
  /** A base object named `name` in this place (not opened or created). */
  make(name: string): Base;
}

/** One case: a name stating the guarantee, and its body. */
export type Case = [name: string, fn: (place: Place) => Promise<void>];

export const SCHEMA = {
  name: "string",
  age: { type: "int", default: 0 },
  score: "float",
  ok: "bool",
  born: "date",
  seen: "datetime",
} as const;

/** The people base of most cases, created. */
export async function people(place: Place): Promise<Base> {
  return await place.make("people").create({ ...SCHEMA });
}

/** Everything a caller can see of a base: its records and its schema. */
async function state(db: Base): Promise<string> {
  return JSON.stringify([await db.select(), db.schema, await db.count()]);
}

export const CASES: Case[] = [];
const test = (name: string, fn: (place: Place) => Promise<void>) => CASES.push([name, fn]);

test("create() makes a base that open() reads back, with every field type and null", async (p) => {
  const db = await people(p);
  const seen = new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 678));
  const id = await db.insert({
    name: "Ada",
    age: 2 ** 40,
    score: -1.25,
    ok: true,
    born: new Date(Date.UTC(1815, 11, 10)),
    seen,
  });
  const nid = await db.insert({ name: null, score: null, ok: false });
  await db.close();
  const again = await p.make("people").open();
  const r = await again.get(id);
  assert.deepEqual(r, {
    __id__: id,
    __version__: 0,
    name: "Ada",
    age: 2 ** 40,
    score: -1.25,
    ok: true,
    born: new Date(Date.UTC(1815, 11, 10)),
    seen,
  });
  assert.equal((r!.seen as Date).getUTCMilliseconds(), 678);
  assert.deepEqual(await again.get(nid), {
    __id__: nid,
    __version__: 0,
    name: null,
    age: 0,
    score: null,
    ok: false,
    born: null,
    seen: null,
  });
  await again.close();
});

test("extreme values read back exactly as the field type stores them: -0, safe integers, dates far out, strings beyond the BMP", async (p) => {
  const db = await people(p);
  const far = new Date(8.64e15);
  const rows = [
    { age: -0, score: -0 },
    { age: Number.MAX_SAFE_INTEGER, score: Number.MIN_VALUE, born: new Date(-8.64e15) },
    { age: Number.MIN_SAFE_INTEGER, score: -1.7976931348623157e308, seen: far },
    { name: "a'b\"c\\d\n\té😀中\u{10FFFF}", score: 0.1 + 0.2 },
  ];
  const ids = await db.insertMany(rows);
  await db.cleanup();
  await db.close();
  const again = await p.make("people").open();
  const got = await again.get(ids[0]);
  // -0 reads back as the codecs store it (the same in every kind of base).
  assert.ok(Object.is(got!.age, codecOf("int")!.encode(-0)));
  assert.ok(Object.is(got!.score, codecOf("float")!.encode(-0)));
  for (const [j, id] of ids.entries()) {
    const r = (await again.get(id))!;
    for (const [k, v] of Object.entries(rows[j])) {
      if (k === "born") {
        assert.deepEqual(r[k], codecOf("date")!.decode(codecOf("date")!.encode(v)!));
      } else if (!Object.is(v, -0)) assert.deepEqual(r[k], v, `${k} of row ${j}`);
    }
  }
  await again.close();
});

test("a date field keeps the UTC day and drops the time of day", async (p) => {
  await using db = await people(p);
  const id = await db.insert({ born: new Date(Date.UTC(2020, 4, 6, 23, 59, 59, 999)) });
  assert.deepEqual((await db.get(id))!.born, new Date(Date.UTC(2020, 4, 6)));
});

test("create() without mode fails on an existing base; 'open' opens it only with its own schema, saying what differs; 'override' replaces it", async (p) => {
  const db = await people(p);
  await db.insert({ name: "kept" });
  await db.close();
  await assert.rejects(() => p.make("people").create({ x: "int" }), BaseExistsError);
  await assert.rejects(
    () => p.make("people").create({ ...SCHEMA, age: "float", x: "int" }, { mode: "open" }),
    (e) =>
      e instanceof BaseExistsError && e.differences.length === 2 &&
      /field "age" is int in the base, float here/.test(e.message) &&
      /field "x" is not in the base/.test(e.message) && /field "seen"/.test(e.message) === false,
  );
  const opened = await p.make("people").create({ ...SCHEMA }, { mode: "open" });
  assert.equal(await opened.count(), 1);
  assert.deepEqual(Object.keys(opened.schema), Object.keys(SCHEMA));
  await opened.close();
  const fresh = await p.make("people").create({ x: "int" }, { mode: "override" });
  assert.equal(await fresh.count(), 0);
  assert.deepEqual(Object.keys(fresh.schema), ["x"]);
  await fresh.close();
});

test("open() where there is no base fails with BaseNotFoundError naming it", async (p) => {
  const db = p.make("nothing");
  await assert.rejects(
    () => db.open(),
    (e: Error) => e instanceof BaseNotFoundError && e.message.includes(db.path),
  );
  await assert.rejects(() => db.check(), BaseNotFoundError);
});

test("methods on a closed base fail clearly; close() is idempotent; await using closes", async (p) => {
  const db = await people(p);
  await db.close();
  await db.close();
  await assert.rejects(() => db.count(), /not open/);
  let outer: Base;
  {
    await using inner = await p.make("people").open();
    outer = inner;
    assert.equal(inner.isOpen, true);
  }
  assert.equal(outer.isOpen, false);
});

test("destroy() removes the base: open() then fails with BaseNotFoundError, and create() starts afresh", async (p) => {
  const db = await people(p);
  await db.insert({ name: "x" });
  await db.destroy();
  assert.equal(db.isOpen, false);
  await assert.rejects(() => p.make("people").open(), BaseNotFoundError);
  await using again = await people(p);
  assert.equal(await again.count(), 0);
  assert.equal(await again.insert({}), 1);
});

test("insert() gives increasing ids never reused after delete and cleanup", async (p) => {
  const db = await people(p);
  const a = await db.insert({ name: "a" });
  const b = await db.insert({ name: "b" });
  assert.equal(b, a + 1);
  await db.delete(b);
  await db.cleanup();
  await db.close();
  const again = await p.make("people").open();
  const c = await again.insert({ name: "c" });
  assert.equal(c, b + 1);
  await again.close();
});

test("get() finds every live id and no other among sparse ids", async (p) => {
  const db = await p.make("t").create({ n: "int" });
  const ids = await db.insertMany(Array.from({ length: 3000 }, (_, i) => ({ n: i })));
  const gone = new Set(ids.filter((id) => (id * 2654435761) % 7 < 3 || (id > 1000 && id < 1500)));
  await db.delete([...gone]);
  await db.cleanup();
  await db.close();
  const again = await p.make("t").open();
  for (let id = -2; id < 3010; id++) {
    const r = await again.get(id);
    assert.equal(r !== undefined, id >= 1 && id <= 3000 && !gone.has(id), `id ${id}`);
    if (r) assert.equal(r.n, id - 1);
  }
  assert.equal(await again.count(), 3000 - gone.size);
  await again.close();
});

test("a fresh open tells null from 0, false and the empty string", async (p) => {
  const db = await people(p);
  const rows = [
    { name: "", age: 0, score: 0, ok: false, born: new Date(0), seen: new Date(0) },
    { name: null, age: null, score: null, ok: null, born: null, seen: null },
    { name: "x", age: -1, score: 0.5, ok: true, born: null, seen: new Date(5) },
  ];
  const ids = await db.insertMany(rows);
  await db.cleanup();
  await db.close();
  const cold = await p.make("people").open();
  for (const [k, id] of ids.entries()) {
    assert.deepEqual(await cold.get(id), { __id__: id, __version__: 0, ...rows[k] });
  }
  assert.equal(await cold.count({ name: "" }), 1);
  assert.equal(await cold.count({ ok: false }), 1);
  assert.equal(await cold.count({ age: 0 }), 1);
  await cold.close();
});

test("concurrent calls on one base are serialized: Promise.all of inserts gives distinct ids", async (p) => {
  await using db = await people(p);
  const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => db.insert({ age: i })));
  assert.equal(new Set(ids).size, 50);
  assert.equal(await db.count(), 50);
});

test("insertMany() inserts all or none", async (p) => {
  await using db = await people(p);
  const ids = await db.insertMany([{ name: "a" }, { name: "b" }]);
  assert.deepEqual(ids.length, 2);
  await assert.rejects(
    () => db.insertMany([{ name: "c" }, { name: 5 }]),
    (e: Error) => e instanceof TypeError && /name/.test(e.message) && /5/.test(e.message),
  );
  assert.equal(await db.count(), 2);
  assert.equal((await db.find({ name: "c" })).length, 0);
});

test("get(), has() and count() follow inserts and deletes", async (p) => {
  await using db = await people(p);
  const id = await db.insert({ name: "x" });
  assert.equal(await db.has(id), true);
  assert.equal(await db.count(), 1);
  assert.equal(await db.delete(id), 1);
  assert.equal(await db.delete(id), 0);
  assert.equal(await db.has(id), false);
  assert.equal(await db.get(id), undefined);
  assert.equal(await db.get(999), undefined);
  assert.equal(await db.count(), 0);
});

test("select() with field lists, equality, null, ranges, RegExp and predicates", async (p) => {
  await using db = await people(p);
  await db.insertMany([
    { name: "Ann", age: 30, score: 1.5, born: new Date(Date.UTC(1990, 0, 1)) },
    { name: "Bob", age: 40, score: 2.5, born: new Date(Date.UTC(1980, 0, 1)) },
    { name: "Cid", age: 50, score: null },
    { name: null, age: 60 },
  ]);
  const named = await db.select(["name"], { age: [35, 55] });
  assert.ok(named instanceof ResultSet);
  assert.deepEqual(named.map((r) => r.name), ["Bob", "Cid"]);
  assert.deepEqual(Object.keys(named[0]).sort(), ["__id__", "__version__", "name"]);
  assert.deepEqual((await db.select({ name: null })).map((r) => r.age), [60]);
  assert.deepEqual((await db.select({ score: null })).map((r) => r.name), ["Cid", null]);
  assert.deepEqual((await db.select({ name: /^[AB]/ })).map((r) => r.name), ["Ann", "Bob"]);
  assert.deepEqual((await db.select({ name: ["B", "Z"] })).map((r) => r.name), ["Bob", "Cid"]);
  assert.deepEqual((await db.select({ score: [2, 3] })).map((r) => r.name), ["Bob"]);
  const dated = await db.select({
    born: [new Date(Date.UTC(1985, 0, 1)), new Date(Date.UTC(1995, 0, 1))],
  });
  assert.deepEqual(dated.map((r) => r.name), ["Ann"]);
  assert.deepEqual((await db.select({ name: "Bob", age: 41 })).length, 0);
  assert.deepEqual(
    (await db.select(["age"], (r) => (r.age as number) >= 50)).map((r) => r.age),
    [50, 60],
  );
  assert.equal((await db.select()).length, 4);
  assert.equal((await db.select([])).length, 4);
  assert.deepEqual((await db.find({ name: "Ann" }))[0].age, 30);
});

test("every where form gives the same records to select(), find() and count(): in-lists with null, open ranges, __id__ and __version__, RegExp flags", async (p) => {
  await using db = await people(p);
  await db.insertMany([
    { name: "ann", age: 30, ok: true },
    { name: "Bob", age: 40, ok: false },
    { name: "cid", age: null },
    { name: null, age: 60, ok: true },
    { name: "Dee", age: 30 },
  ]);
  const cases: Array<[unknown, number[]]> = [
    [{ age: { in: [30, 60] } }, [1, 4, 5]],
    [{ age: { in: [null, 40] } }, [2, 3]],
    [{ name: { in: [] } }, []],
    [{ age: [null, 35] }, [1, 5]],
    [{ age: [35, null] }, [2, 4]],
    [{ age: [null, null] }, [1, 2, 4, 5]],
    [{ name: [null, "a"] }, [2, 5]],
    [{ ok: true }, [1, 4]],
    [{ ok: null }, [3, 5]],
    [{ __id__: [2, 4] }, [2, 3, 4]],
    [{ __id__: { in: [1, 5, 99] } }, [1, 5]],
    [{ __version__: 0, age: 30 }, [1, 5]],
    [{ name: /^[a-c]/i }, [1, 2, 3]],
    [{ name: /E/i, age: 30 }, [5]],
    [{ name: /^$/ }, []],
  ];
  for (const [where, ids] of cases) {
    const w = where as Parameters<typeof db.find>[0];
    assert.deepEqual((await db.find(w)).map((r) => r.__id__), ids, JSON.stringify(where));
    assert.deepEqual((await db.select(["age"], w)).map((r) => r.__id__), ids);
    assert.equal(await db.count(w), ids.length, `count ${JSON.stringify(where)}`);
  }
  assert.equal(await db.count((r) => r.age === 30), 2);
});

test("orderBy sorts nulls first ascending and last descending, ties by __id__; offset and limit page after ordering, with or without a RegExp or predicate", async (p) => {
  await using db = await people(p);
  await db.insertMany([
    { name: "b", age: 2, score: 1 },
    { name: null, age: 1, score: null },
    { name: "a", age: 2, score: -1 },
    { name: "B", age: null, score: 0 },
    { name: "ab", age: 2, score: 1 },
  ]);
  const names = async (o: { orderBy?: string; offset?: number; limit?: number }, w?: unknown) =>
    (await db.find(w as never, o)).map((r) => r.name);
  assert.deepEqual(await names({ orderBy: "+name" }), [null, "B", "a", "ab", "b"]);
  assert.deepEqual(await names({ orderBy: "-name" }), ["b", "ab", "a", "B", null]);
  assert.deepEqual(await names({ orderBy: "+age" }), ["B", null, "b", "a", "ab"]);
  assert.deepEqual(await names({ orderBy: "-age +name" }), ["a", "ab", "b", null, "B"]);
  assert.deepEqual(await names({ orderBy: "-score -__id__" }), ["ab", "b", "B", "a", null]);
  assert.deepEqual(await names({ orderBy: "+name", offset: 1, limit: 2 }), ["B", "a"]);
  assert.deepEqual(await names({ offset: 3 }), ["B", "ab"]);
  assert.deepEqual(await names({ limit: 0 }), []);
  assert.deepEqual(await names({ orderBy: "-name", offset: 1, limit: 2 }, { name: /b/i }), [
    "ab",
    "B",
  ]);
  assert.deepEqual(
    await names({ orderBy: "+name", offset: 1, limit: 1 }, (r: RecordOf) => r.age === 2),
    ["ab"],
  );
  const sel = await db.select(["score"], { age: 2 }, { orderBy: "-score", limit: 2 });
  assert.deepEqual(sel.map((r) => [r.__id__, r.score]), [[1, 1], [5, 1]]);
});

test("strings order by UTF-16 code unit: upper case before lower, accents and CJK after ASCII, astral characters after the BMP below U+D800", async (p) => {
  await using db = await p.make("words").create({ w: { type: "string", index: "sorted" } });
  const words = ["z", "Z", "é", "中", "😀", "a", "", "ab", "aB", "\u00ff", "\u0100"];
  await db.insertMany(words.map((w) => ({ w })));
  const sorted = [...words].sort(); // JavaScript's own order: code units
  assert.deepEqual((await db.find({}, { orderBy: "+w" })).map((r) => r.w), sorted);
  const range = (await db.find({ w: ["a", "é"] }, { orderBy: "+w" })).map((r) => r.w);
  assert.deepEqual(range, ["a", "aB", "ab", "z", "é"]);
});

test("select() sees updates and deletes made since the base was opened, by ranges and equality", async (p) => {
  const db = await people(p);
  await db.insertMany(Array.from({ length: 200 }, (_, i) => ({ name: `n${i}`, age: i })));
  await db.cleanup();
  const [r] = await db.find({ name: "n10" });
  await db.update(r, { name: "ten" });
  await db.delete((await db.find({ name: "n11" }))[0]);
  assert.deepEqual((await db.select({ name: "n10" })).length, 0);
  assert.deepEqual((await db.select({ name: "ten" }))[0].age, 10);
  assert.deepEqual((await db.select({ age: [9, 12] })).map((r) => r.name), ["n9", "ten", "n12"]);
  await db.close();
});

test("indexes: addIndex and dropIndex change the schema, and queries answer the same with and without them", async (p) => {
  await using db = await p.make("ix").create({
    email: { type: "string", index: true },
    n: "int",
    d: "date",
  });
  assert.equal(db.schema.email.index, "hash");
  const rows = Array.from({ length: 300 }, (_, i) => ({
    email: i % 7 === 0 ? null : `u${i % 50}@x`,
    n: i % 13 === 5 ? null : i % 13,
    d: new Date(Date.UTC(2020, 0, 1 + (i % 30))),
  }));
  await db.insertMany(rows);
  const queries: unknown[] = [
    { email: "u7@x" },
    { email: null },
    { email: { in: ["u1@x", "u2@x", null] } },
    { n: [3, 5] },
    { n: { in: [0, 12] } },
    { n: { in: [null, 12] } },
    { d: [new Date(Date.UTC(2020, 0, 5)), null] },
    { n: 4, email: "u4@x" },
  ];
  const answer = async () => {
    const out = [];
    for (const q of queries) {
      out.push((await db.find(q as never)).map((r) => r.__id__), await db.count(q as never));
    }
    return out;
  };
  const before = await answer();
  await db.addIndex("n");
  await db.addIndex("d", { kind: "sorted" });
  assert.equal(db.schema.n.index, "sorted");
  await assert.rejects(() => db.addIndex("n"), /indexed already/);
  assert.deepEqual(await answer(), before);
  await db.dropIndex("email");
  assert.equal(db.schema.email.index, undefined);
  await assert.rejects(() => db.dropIndex("email"), /has no index/);
  assert.deepEqual(await answer(), before);
  assert.equal((await db.check()).ok, true);
});

test("ResultSet.sortBy() sorts by several keys, nulls first ascending", async (p) => {
  await using db = await people(p);
  await db.insertMany([
    { name: "b", age: 1 },
    { name: "a", age: 2 },
    { name: null, age: 2 },
    { name: "c", age: 2 },
  ]);
  const all = await db.select(["name", "age"]);
  assert.deepEqual(all.sortBy("+name").map((r) => r.name), [null, "a", "b", "c"]);
  assert.deepEqual(all.sortBy("-age +name").map((r) => r.name), [null, "a", "c", "b"]);
  assert.deepEqual(all.sortBy("-name").map((r) => r.name), ["c", "b", "a", null]);
  assert.throws(() => all.sortBy("+nope"), /unknown field/);
  assert.throws(() => all.sortBy("*name"), /malformed/);
});

test("update() bumps __version__ and updates the caller's record", async (p) => {
  await using db = await people(p);
  await db.insertMany([{ name: "a", age: 1 }, { name: "b", age: 2 }]);
  const rows = await db.select();
  await db.update(rows, { age: 9 });
  assert.deepEqual(rows.map((r) => [r.age, r.__version__]), [[9, 1], [9, 1]]);
  const stored = await db.select();
  assert.deepEqual(stored.map((r) => [r.age, r.__version__]), [[9, 1], [9, 1]]);
  await db.update(stored[0], { age: 10 });
  assert.equal((await db.get(stored[0].__id__))!.__version__, 2);
});

test("after update() (alone or in a transaction) the records passed in hold what a read returns: a date cut to its day, a link as its record, not the values given", async (p) => {
  const owners = await p.make("owners").create({ name: "string" });
  const pets = await p.make("pets").create({ name: "string", born: "date", owner: owners });
  const ann = (await owners.get(await owners.insert({ name: "Ann" })))!;
  const id = await pets.insert({ name: "Rex" });
  const given = new Date(Date.UTC(2020, 4, 5, 15, 30));
  const rex = (await pets.get(id))!;
  await pets.update(rex, { born: given, owner: ann.__id__ });
  const read = (await pets.get(id))!;
  assert.deepEqual({ ...rex }, { ...read });
  assert.equal(rex.born!.getTime(), Date.UTC(2020, 4, 5));
  assert.notEqual(rex.born, given, "the record holds the Date object it was given");
  assert.deepEqual(rex.owner, { __id__: ann.__id__, __version__: 0, name: "Ann" });
  await pets.transaction(async (tx) => {
    await tx.update(rex, { born: new Date(Date.UTC(2021, 0, 2, 23, 59)), owner: null });
  });
  assert.deepEqual({ ...rex }, { ...(await pets.get(id))! });
  assert.equal(rex.born!.getTime(), Date.UTC(2021, 0, 2));
  await pets.close();
  await owners.close();
});

test("inside a transaction, update() gives the record its new values at once, so it can be updated again; a rollback puts the record back as it was", async (p) => {
  await using db = await people(p);
  const id = await db.insert({ name: "a", age: 1 });
  const r = (await db.get(id))!;
  await db.transaction(async (tx) => {
    await tx.update(r, { age: 2 });
    assert.deepEqual([r.age, r.__version__], [2, 1]);
    await tx.update(r, { age: (r.age as number) + 1, name: "b" });
  });
  assert.deepEqual([r.name, r.age, r.__version__], ["b", 3, 2]);
  assert.deepEqual({ ...r }, { ...(await db.get(id))! });
  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.update(r, { age: 10 });
      await tx.update(r, { name: "c" });
      throw new Error("no");
    }),
    /no/,
  );
  assert.deepEqual([r.name, r.age, r.__version__], ["b", 3, 2], "the rollback put it back");
  assert.deepEqual({ ...r }, { ...(await db.get(id))! });
  // Exactly: a record read with some fields gets back no key it did not have.
  const [part] = await db.select(["name"], { __id__: id });
  const before = { ...part };
  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.update(part, { age: 20, score: undefined });
      assert.equal((part as Record<string, unknown>).age, 20);
      throw new Error("no");
    }),
    /no/,
  );
  assert.deepEqual({ ...part }, before);
  assert.equal(Object.hasOwn(part, "age"), false);
});

test("update() throws ConflictError on a stale record, changes nothing and leaves the caller's record alone", async (p) => {
  await using db = await people(p);
  await db.insertMany([{ name: "a", age: 1 }, { name: "b", age: 2 }]);
  const [a, b] = await db.select();
  const staleB: RecordOf = { ...b };
  await db.update(b, { age: 3 });
  const before = await state(db);
  const copyA = { ...a };
  await assert.rejects(
    () => db.update([a, staleB], { age: 100 }),
    (e: unknown) => e instanceof ConflictError && e.id === b.__id__ && e.actual === 1,
  );
  assert.deepEqual(a, copyA);
  assert.equal(await state(db), before);
  assert.deepEqual((await db.select()).map((r) => r.age), [1, 3]);
  await db.delete(a);
  await assert.rejects(
    () => db.update(a, { age: 5 }),
    (e: unknown) => e instanceof ConflictError && e.actual === null,
  );
  await assert.rejects(
    () => db.update({ __id__: 999, __version__: 0 }, { age: 5 }),
    (e: unknown) => e instanceof ConflictError && /no record has this id/.test(e.message),
  );
});

test("update() of one record given twice is a RangeError naming it, not a conflict, and changes nothing", async (p) => {
  await using db = await people(p);
  await db.insert({ name: "a", age: 1 });
  const [a] = await db.select();
  const before = await state(db);
  await assert.rejects(
    () => db.update([a, a], { age: 5 }),
    (e: unknown) =>
      e instanceof RangeError && e.message === `Cannot update: record ${a.__id__} is given twice`,
  );
  assert.equal(await state(db), before);
  assert.equal(a.__version__, 0);
});

test("delete() takes a record, an id or an array of them", async (p) => {
  await using db = await people(p);
  const ids = await db.insertMany(Array.from({ length: 5 }, (_, i) => ({ age: i })));
  assert.equal(await db.delete((await db.get(ids[0]))!), 1);
  assert.equal(await db.delete(ids[1]), 1);
  assert.equal(await db.delete([ids[2], (await db.get(ids[3]))!]), 2);
  assert.deepEqual((await db.select()).map((r) => r.__id__), [ids[4]]);
});

test("cleanup() keeps live records, their ids and versions", async (p) => {
  const db = await people(p);
  const ids = await db.insertMany(Array.from({ length: 100 }, (_, i) => ({ age: i })));
  await db.delete(ids.filter((_, i) => i % 2 === 0));
  await db.update((await db.get(ids[1]))!, { name: "one" });
  await db.cleanup();
  assert.equal(await db.count(), 50);
  assert.equal((await db.get(ids[1]))!.name, "one");
  assert.equal((await db.get(ids[1]))!.__version__, 1);
  await db.close();
});

test("commit() resolves on an open base and keeps everything", async (p) => {
  const db = await people(p);
  await db.insert({ name: "x" });
  await db.commit();
  await db.close();
  const again = await p.make("people").open();
  assert.equal(await again.count(), 1);
  await again.close();
});

test("setDefault() persists and applies to later inserts", async (p) => {
  const db = await people(p);
  await db.setDefault("name", "anon");
  await db.close();
  const again = await p.make("people").open();
  const id = await again.insert({});
  assert.equal((await again.get(id))!.name, "anon");
  assert.equal(again.schema.name.default, "anon");
  await again.close();
});

test("a default of -0 (create, setDefault, addField) reads back -0 after a reopen, and so does every record given it", async (p) => {
  const db = await p.make("z").create({ x: { type: "float", default: -0 }, n: "int" });
  await db.setDefault("n", -0);
  await db.addField("y", "float", { default: -0 });
  await db.close();
  const again = await p.make("z").open();
  for (const f of ["x", "n", "y"] as const) {
    assert.ok(Object.is(again.schema[f].default, -0), `${f}: default ${again.schema[f].default}`);
  }
  const r = (await again.get(await again.insert({})))!;
  assert.ok(Object.is(r.x, -0) && Object.is(r.n, -0) && Object.is(r.y, -0), JSON.stringify(r));
  await again.close();
  // create(..., { mode: "open" }) with the same schema finds no difference.
  const same = await p.make("z").create({
    x: { type: "float", default: -0 },
    n: { type: "int", default: -0 },
    y: { type: "float", default: -0 },
  }, { mode: "open" });
  await same.close();
});

test("addField() after updates keeps every record aligned and gives them the default", async (p) => {
  const db = await people(p);
  const ids = await db.insertMany([{ name: "a", age: 1 }, { name: "b", age: 2 }]);
  await db.update((await db.get(ids[0]))!, { age: 10 });
  await db.delete(ids[1]);
  await db.insert({ name: "c", age: 3 });
  await db.addField("email", "string", { after: "name", default: "none" });
  const all = await db.select();
  assert.deepEqual(Object.keys(all[0]).slice(2, 5), ["name", "email", "age"]);
  assert.deepEqual(all.map((r) => [r.name, r.email, r.age]), [["a", "none", 10], [
    "c",
    "none",
    3,
  ]]);
  const id = await db.insert({ name: "d" });
  assert.equal((await db.get(id))!.email, "none");
  await db.addField("last", "int");
  assert.equal((await db.get(id))!.last, null);
  await db.addField("first", "bool", { after: "name", default: true });
  await db.close();
  const again = await p.make("people").open();
  assert.deepEqual(Object.keys(again.schema).slice(0, 4), ["name", "first", "email", "age"]);
  assert.deepEqual((await again.get(id))!.first, true);
  await again.close();
});

test("dropField() removes the field from records and schema; a field of that name can come back, empty", async (p) => {
  const db = await people(p);
  await db.insert({ name: "secret-value-xyz", age: 3 });
  await db.dropField("name");
  assert.equal("name" in (await db.select())[0], false);
  assert.equal((await db.select())[0].age, 3);
  await db.addField("name", "int");
  assert.equal((await db.select())[0].name, null);
  await db.close();
});

test("transaction() commits all its writes together, or none when fn throws", async (p) => {
  await using db = await people(p);
  const id = await db.insert({ name: "c", age: 0 });
  const out = await db.transaction(async (tx) => {
    const r = (await tx.get(id))!;
    await tx.update(r, { age: (r.age as number) + 1 });
    await tx.insert({ name: "new" });
    assert.equal(await tx.count(), 2);
    return "done";
  });
  assert.equal(out, "done");
  assert.equal((await db.get(id))!.age, 1);
  const before = await db.select();
  await assert.rejects(
    () =>
      db.transaction(async (tx) => {
        await tx.delete(id);
        await tx.insert({ name: "ghost" });
        assert.equal(await tx.has(id), false);
        throw new Error("changed my mind");
      }),
    /changed my mind/,
  );
  assert.deepEqual(await db.select(), before);
  assert.equal(await db.insert({}), 3, "ids of a rolled-back transaction are given again");
});

test("inside transaction(fn), tx sees its own writes, the base's reads see committed state, and writes through the base fail with TransactionError", async (p) => {
  await using db = await people(p);
  const id = await db.insert({ name: "a", age: 1 });
  await db.transaction(async (tx) => {
    const r = (await tx.get(id))!;
    await tx.update(r, { age: 2 });
    const nid = await tx.insert({ name: "b" });
    assert.equal((await tx.get(id))!.age, 2);
    assert.deepEqual((await tx.find({ name: "b" })).map((x) => x.__id__), [nid]);
    assert.equal(await tx.count({ age: [2, 2] }), 1);
    assert.equal((await db.get(id))!.age, 1);
    assert.equal(await db.count(), 1);
    assert.equal(await db.has(nid), false);
    await assert.rejects(() => db.insert({}), TransactionError);
  });
  assert.equal((await db.get(id))!.age, 2);
  assert.equal(await db.count(), 2);
});

test("async iteration yields every live record", async (p) => {
  await using db = await people(p);
  const ids = await db.insertMany([{ age: 1 }, { age: 2 }, { age: 3 }]);
  await db.delete(ids[1]);
  const seen: number[] = [];
  for await (const r of db) seen.push(r.__id__);
  assert.deepEqual(seen, [ids[0], ids[2]]);
});

test("link fields read back as the linked record, match by record or id, and read null once the linked record is gone", async (p) => {
  const owners = await p.make("owners").create({ name: "string" });
  const pets = await p.make("pets").create({ name: "string", owner: owners });
  const bob = await owners.get(await owners.insert({ name: "Bob" }));
  const ann = await owners.get(await owners.insert({ name: "Ann" }));
  await pets.insertMany([
    { name: "Rex", owner: bob },
    { name: "Tom", owner: ann!.__id__ },
    { name: "Stray", owner: null },
  ]);
  assert.deepEqual((await pets.find({ owner: bob })).map((p) => p.name), ["Rex"]);
  assert.deepEqual((await pets.find({ owner: null })).map((p) => p.name), ["Stray"]);
  assert.equal(pets.schema.owner.base, owners.path);
  await owners.delete(ann!);
  await pets.close();
  await owners.close();
  const again = await p.make("pets").open();
  const [rex, tom] = await again.find({}, { limit: 2 });
  assert.deepEqual(rex.owner, { __id__: bob!.__id__, __version__: 0, name: "Bob" });
  assert.equal(tom.owner, null);
  assert.equal((await again.find({ owner: ann!.__id__ })).length, 1, "where tests the stored id");
  await again.close();
});

test("links that run in a cycle (a record its own parent; two bases linking each other) read back, the cycle ending at the record met again", async (p) => {
  // Fields added after create are not in the schema's types: these bases are untyped.
  const people: Base = await p.make("people").create({ name: "string" });
  await people.addField("parent", people);
  const me = (await people.get(await people.insert({ name: "me" })))!;
  await people.update(me, { parent: me.__id__ });
  const got = (await people.get(me.__id__))! as Record<string, unknown>;
  const parent = got.parent as Record<string, unknown>;
  assert.equal(parent.name, "me");
  assert.equal(parent.parent, parent, "the cycle ends at the record met again");
  const a: Base = await p.make("a").create({ name: "string" });
  const b: Base = await p.make("b").create({ name: "string", a });
  await a.addField("b", b);
  const b1 = await b.insert({ name: "b1" });
  const a1 = await a.insert({ name: "a1", b: b1 });
  await b.update((await b.get(b1))!, { a: a1 });
  for (let k = 0; k < 3; k++) { // and no base object is left open per read
    const r = (await a.get(a1))! as Record<string, unknown>;
    const rb = r.b as Record<string, unknown>;
    assert.equal(rb.name, "b1");
    assert.equal((rb.a as Record<string, unknown>).name, "a1");
    assert.equal((rb.a as Record<string, unknown>).b as Record<string, unknown>, rb);
  }
  assert.equal((await a.find({ b: b1 })).length, 1);
  await a.close();
  await b.close();
  await people.close();
});

test("a where function that returns a promise (an async function) is a TypeError, not a match of every record", async (p) => {
  await using db = await people(p);
  await db.insertMany([{ name: "a" }, { name: "b" }]);
  const never = (() => Promise.resolve(false)) as unknown as (r: unknown) => boolean;
  for (
    const call of [() => db.find(never), () => db.select(["name"], never), () => db.count(never)]
  ) {
    await assert.rejects(
      call,
      (e) => e instanceof TypeError && /returned a promise/.test(e.message),
    );
  }
  await db.transaction(async (tx) => {
    await assert.rejects(tx.find(never), TypeError);
  });
});

test("inside a transaction, a link back into its own base reads the transaction's own writes (R5)", async (p) => {
  const db: Base = await p.make("tree").create({ name: "string" });
  await db.addField("parent", db);
  const root = await db.insert({ name: "root" });
  await db.transaction(async (tx) => {
    const mid = await tx.insert({ name: "mid", parent: root });
    const leaf = await tx.insert({ name: "leaf", parent: mid });
    await tx.update((await tx.get(root))!, { name: "root2" });
    const got = (await tx.get(leaf))! as Record<string, unknown>;
    const parent = got.parent as Record<string, unknown>;
    assert.equal(parent?.name, "mid", "a parent inserted in the transaction");
    assert.equal((parent.parent as Record<string, unknown>).name, "root2", "an update in it");
    // The base's own reads still see only what is committed.
    assert.equal(await db.get(leaf), undefined);
  });
  await db.close();
});

test("check() of a sound base reports no problem", async (p) => {
  await using db = await people(p);
  await db.insertMany([{ name: "a" }, { name: "b", born: new Date(0) }]);
  await db.delete(1);
  const report = await db.check();
  assert.deepEqual(report.problems, []);
  assert.equal(report.ok, true);
});

// ---- bad input: a clear error, raised before anything is written ----

/** A call with bad input, the message it must throw, and the error class. */
export type BadInput = [string, (db: Base) => Promise<unknown>, RegExp, ErrorConstructor?];

export const BAD_INPUTS: BadInput[] = [
  ["insert() of an unknown field", (db) => db.insert({ nme: "x" }), /unknown field "nme"/],
  ["insert() of a wrong type", (db) => db.insert({ age: "12" }), /"age".*int.*"12"/],
  ["insert() of a float into an int", (db) => db.insert({ age: 1.5 }), /"age".*1\.5/],
  ["insert() of an unsafe integer", (db) => db.insert({ age: 2 ** 53 }), /"age"/],
  ["insert() of NaN into a float", (db) => db.insert({ score: NaN }), /"score".*NaN/],
  ["insert() of an invalid Date", (db) => db.insert({ seen: new Date("nope") }), /"seen"/],
  ["insert() of a string into a date", (db) => db.insert({ born: "2020-01-01" }), /"born"/],
  ["insert() of __id__", (db) => db.insert({ __id__: 5 }), /__id__/],
  ["insert() of a non-object", (db) => db.insert("x" as never), /expected an object/],
  ["insertMany() with one bad row", (db) => db.insertMany([{ age: 1 }, { ok: 1 }]), /row 1.*"ok"/],
  [
    "update() with an unknown field",
    async (db) => db.update((await db.select())[0], { x: 1 }),
    /"x"/,
  ],
  [
    "update() with a wrong type",
    async (db) => db.update((await db.select())[0], { ok: "y" }),
    /"ok"/,
  ],
  [
    "update() of a record without __id__",
    (db) => db.update({ name: "a" } as never, { age: 1 }),
    /__id__/,
  ],
  [
    "update() setting __version__",
    async (db) => db.update((await db.select())[0], { __version__: 9 }),
    /__version__/,
  ],
  ["get() of a non-id", (db) => db.get("1" as never), /get.*"1"/],
  ["has() of a non-id", (db) => db.has(1.5), /has.*1\.5/],
  ["delete() of a non-id", (db) => db.delete("one" as never), /delete/],
  [
    "select() with an unknown field",
    (db) => db.select({ nope: 1 }),
    /^Cannot select: unknown field "nope"/,
  ],
  [
    "find() with an unknown field",
    (db) => db.find({ nope: 1 } as never),
    /^Cannot find: unknown field "nope"/,
  ],
  [
    "count() with a wrong-typed value",
    (db) => db.count({ age: "1" } as never),
    /^Cannot count: the value for field "age"/,
  ],
  ["select() with a malformed where", (db) => db.select(5 as never), /where must be an object/],
  ["select() with a RegExp on an int", (db) => db.select({ age: /1/ }), /"age".*RegExp/],
  ["select() with a 3-element range", (db) => db.select({ age: [1, 2, 3] }), /range/],
  ["select() with a range on a bool", (db) => db.select({ ok: [false, true] }), /range/],
  ["select() with a wrong-typed value", (db) => db.select({ age: "1" }), /"age"/],
  ["select() with an undefined value", (db) => db.select({ age: undefined }), /"age" is undefined/],
  ["select() with a reversed range", (db) => db.select({ age: [40, 30] }), /min > max/, RangeError],
  [
    "select() of a field name not in an array",
    (db) => db.select("name" as never),
    /array of names/,
  ],
  ["update() with no changes", async (db) => db.update((await db.select())[0], {}), /no changes/],
  ["select() listing an unknown field", (db) => db.select(["name", "nope"]), /"nope"/],
  [
    "create() with a bad mode",
    (db) => db.create({ x: "int" }, { mode: "replace" as never }),
    /mode/,
  ],
  [
    "create() with a reserved name",
    (db) => db.create({ __id__: "int" }, { mode: "override" }),
    /reserved/,
  ],
  [
    "create() with an invalid name",
    (db) => db.create({ "a b": "int" }, { mode: "override" }),
    /^Cannot create: invalid field name "a b": use letters/,
  ],
  [
    "create() with an unknown type",
    (db) => db.create({ a: "text" as never }, { mode: "override" }),
    /unknown type/,
  ],
  [
    "create() with a bad default",
    (db) => db.create({ a: { type: "int", default: "x" } }, { mode: "override" }),
    /"a"/,
  ],
  ["addField() of an existing name", (db) => db.addField("name", "string"), /already exists/],
  ["addField() of a reserved name", (db) => db.addField("__version__", "int"), /reserved/],
  ["addField() after an unknown field", (db) => db.addField("z", "int", { after: "q" }), /"q"/],
  [
    "addField() with a bad default",
    (db) => db.addField("z", "int", { default: "x" as never }),
    /"z"/,
  ],
  ["dropField() of an unknown field", (db) => db.dropField("nope"), /"nope"/],
  ["setDefault() of an unknown field", (db) => db.setDefault("nope", 1), /"nope"/],
  ["setDefault() with a wrong type", (db) => db.setDefault("age", "old"), /setDefault: .*"age"/],
  ["transaction() with a non-function", (db) => db.transaction(5 as never), /function/],
  ["addIndex() of an unknown field", (db) => db.addIndex("nope"), /"nope"/],
  [
    "addIndex() of a bad kind",
    (db) => db.addIndex("age", { kind: "btree" as never }),
    /^Cannot addIndex: kind must be "hash" or "sorted", got "btree"$/,
  ],
  [
    "addIndex() with kind true (an index: option, not a kind)",
    (db) => db.addIndex("age", { kind: true as never }),
    /^Cannot addIndex: kind must be "hash" or "sorted", got boolean true$/,
  ],
  ["dropIndex() of a field with no index", (db) => db.dropIndex("age"), /no index/],
];

for (const [what, fn, pattern, kind] of BAD_INPUTS) {
  test(`${what} throws a clear error and changes nothing`, async (p) => {
    const db = await people(p);
    await db.insertMany([{ name: "a", age: 1 }, { name: "b", age: 2 }]);
    const before = await state(db);
    await assert.rejects(() => fn(db), (e: Error) => {
      assert.ok(e instanceof (kind ?? TypeError), `${e.name}: ${e.message}`);
      assert.match(e.message, pattern);
      return true;
    });
    assert.equal(await state(db), before);
    assert.equal(await db.insert({}), 3, "no id was taken");
    await db.close();
  });
}
