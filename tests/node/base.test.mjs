// Copyright 2026 the psbase authors. MIT license.
// The Node suite for Base, run by tests/npm_test.ts against the installed npm package.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Base, BaseExistsError, ConflictError, ResultSet, TransactionError } from "psbase";
import { snapshot, supportsAwaitUsing, tempDir } from "./_helpers.mjs";

let tmp;
let n = 0;
before(() => (tmp = tempDir()));
after(() => tmp.cleanup());

/** A fresh folder path for one base. */
const where = () => join(tmp.dir, `b${++n}`);

// Array.from: ResultSet is an Array subclass, so its own .map() returns a ResultSet.
const names = (records) => Array.from(records, (r) => r.name).sort();

const PEOPLE = [
  { name: "Ada", age: 36, city: "London" },
  { name: "Bo", age: 30, city: null },
  { name: "Cy", age: 9, city: "Paris" },
  { name: "Di", age: 30, city: "Paris" },
  { name: "Ed", age: null, city: "Rome" },
];

async function people() {
  const db = await new Base(where()).create({ name: "string", age: "int", city: "string" });
  await db.insertMany(PEOPLE);
  return db;
}

describe("Base in Node (installed package)", () => {
  test("create, open, close, destroy", async () => {
    const path = where();
    const db = await new Base(path).create({ name: "string", age: "int" });
    assert.ok(db instanceof Base);
    await db.insert({ name: "Ada", age: 36 });

    await assert.rejects(new Base(path).create({ name: "string" }), Error, "exists: no mode");
    await assert.rejects(new Base(path).create({ name: "string" }, { mode: "bogus" }), Error);
    await assert.rejects(
      new Base(path).create({ other: "int" }, { mode: "open" }),
      (e) =>
        e instanceof BaseExistsError && e.differences.includes('field "other" is not in the base'),
      'mode "open" with another schema says what differs',
    );
    const opened = await new Base(path).create({ name: "string", age: "int" }, { mode: "open" });
    assert.equal(await opened.count(), 1, 'mode "open" keeps the existing base');
    await opened.close();

    await db.close();
    await db.close(); // idempotent
    const again = await new Base(path).open();
    assert.equal(await again.count(), 1);
    assert.equal((await again.find({ name: "Ada" }))[0].age, 36);
    await again.close();

    const replaced = await new Base(path).create({ title: "string" }, { mode: "override" });
    assert.equal(await replaced.count(), 0, 'mode "override" replaces the base');
    await replaced.insert({ title: "new" });
    await replaced.destroy();
    await assert.rejects(new Base(path).open(), Error, "destroyed base does not open");

    const missing = join(tmp.dir, "no-such-base");
    await assert.rejects(new Base(missing).open(), (e) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /no-such-base/, "the error names the path");
      return true;
    });
    assert.equal(existsSync(missing), false, "a failed open creates nothing");
  });

  test("insert, get, has, count, every field type, defaults and nulls", async () => {
    const db = await new Base(where()).create({
      name: "string",
      age: { type: "int", default: 18 },
      score: "float",
      ok: "bool",
      born: "date",
      seen: "datetime",
    });
    const born = new Date(Date.UTC(1815, 11, 10));
    const seen = new Date("2024-01-02T03:04:05.678Z");
    const id = await db.insert({ name: "Ada", age: 2 ** 40, score: 1.5, ok: true, born, seen });
    assert.equal(typeof id, "number");
    const ada = await db.get(id);
    assert.equal(ada.__id__, id);
    assert.equal(ada.__version__, 0);
    assert.equal(ada.name, "Ada");
    assert.equal(ada.age, 2 ** 40, "int is any safe integer");
    assert.equal(ada.score, 1.5);
    assert.equal(ada.ok, true);
    assert.ok(ada.born instanceof Date);
    assert.equal(ada.born.getTime(), born.getTime());
    assert.ok(ada.seen instanceof Date);
    assert.equal(ada.seen.getTime(), seen.getTime(), "datetime keeps milliseconds");

    const id2 = await db.insert({ name: "Bo" });
    const bo = await db.get(id2);
    assert.equal(bo.age, 18, "missing field gets its default");
    assert.equal(bo.score, null);
    assert.equal(bo.ok, null);
    assert.equal(bo.born, null);
    assert.equal(bo.seen, null);

    assert.equal(await db.get(9999), undefined);
    assert.equal(await db.has(id), true);
    assert.equal(await db.has(9999), false);
    assert.equal(await db.count(), 2);

    await db.delete(id2);
    assert.equal(await db.get(id2), undefined, "get of a deleted id is undefined");
    assert.equal(await db.has(id2), false);
    const id3 = await db.insert({ name: "Cy" });
    assert.ok(id3 > id2, "ids are never reused");
    await db.close();
  });

  test("insertMany is all or none; concurrent inserts get distinct ids", async () => {
    const db = await new Base(where()).create({ name: "string", n: "int" });
    const ids = await db.insertMany([{ name: "a" }, { name: "b" }, { name: "c" }]);
    assert.equal(ids.length, 3);
    assert.equal(new Set(ids).size, 3);
    await assert.rejects(db.insertMany([{ name: "ok" }, { nope: 1 }]), Error);
    await assert.rejects(db.insertMany([{ name: "ok" }, { n: "x" }]), Error);
    assert.equal(await db.count(), 3, "a failed insertMany inserts nothing");

    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => db.insert({ n: i })));
    assert.equal(new Set(many).size, 20);
    assert.equal(await db.count(), 23);
    await db.close();
  });

  test("select: fields, Where equality/null/range/regex/AND, predicate; find", async () => {
    const db = await people();
    const all = await db.select();
    assert.ok(Array.isArray(all));
    assert.ok(all instanceof ResultSet);
    assert.equal(all.length, 5);
    for (const r of all) {
      assert.deepEqual(Object.keys(r).sort(), ["__id__", "__version__", "age", "city", "name"]);
    }
    assert.equal((await db.select([])).length, 5, "empty fields: all fields");

    const only = await db.select(["name"]);
    for (const r of only) {
      assert.deepEqual(Object.keys(r).sort(), ["__id__", "__version__", "name"]);
    }

    assert.deepEqual(names(await db.select({ city: "Paris" })), ["Cy", "Di"]);
    assert.deepEqual(names(await db.select({ city: null })), ["Bo"], "null matches nulls");
    assert.deepEqual(names(await db.select({ age: [9, 30] })), ["Bo", "Cy", "Di"], "inclusive");
    assert.deepEqual(names(await db.select({ name: /^[AE]/ })), ["Ada", "Ed"]);
    assert.deepEqual(names(await db.select({ age: 30, city: "Paris" })), ["Di"], "AND");
    assert.deepEqual(names(await db.select({ name: ["B", "D"] })), ["Bo", "Cy"], "string range");

    const some = await db.select(["name"], { age: [30, 40] });
    assert.deepEqual(names(some), ["Ada", "Bo", "Di"]);
    assert.equal("age" in some[0], false);

    const pred = await db.select((r) => r.age !== null && r.age > 20);
    assert.deepEqual(names(pred), ["Ada", "Bo", "Di"]);

    const [ada, ...rest] = await db.find({ name: "Ada" });
    assert.equal(rest.length, 0);
    assert.deepEqual(
      { name: ada.name, age: ada.age, city: ada.city, __version__: ada.__version__ },
      { name: "Ada", age: 36, city: "London", __version__: 0 },
    );

    await assert.rejects(db.select({ nope: 1 }), Error, "unknown field in where");
    await assert.rejects(db.select(["nope"]), Error, "unknown field in fields");
    await db.close();
  });

  test("ResultSet.sortBy", async () => {
    const db = await people();
    const rows = await db.select(["name", "age"]);
    const up = rows.sortBy("+age +name");
    assert.ok(up instanceof ResultSet);
    assert.deepEqual(Array.from(up, (r) => r.name), ["Ed", "Cy", "Bo", "Di", "Ada"], "nulls first");
    const down = rows.sortBy("-age +name");
    assert.deepEqual(Array.from(down, (r) => r.name).slice(0, 4), ["Ada", "Bo", "Di", "Cy"]);
    await db.close();
  });

  test("update: __version__, ConflictError on a stale record, all or none", async () => {
    const db = await new Base(where()).create({ name: "string", age: "int" });
    const id = await db.insert({ name: "Ada", age: 36 });
    const fresh = await db.get(id);
    const stale = await db.get(id);
    await db.update(fresh, { age: 37 });
    const now = await db.get(id);
    assert.equal(now.age, 37);
    assert.equal(now.__version__, 1);

    const before = structuredClone(stale);
    await assert.rejects(db.update(stale, { age: 99 }), (e) => {
      assert.ok(e instanceof ConflictError);
      assert.equal(e.name, "ConflictError");
      assert.equal(e.id, id);
      assert.equal(e.expected, 0);
      assert.equal(e.actual, 1);
      return true;
    });
    assert.deepEqual(stale, before, "the caller's record is not mutated on failure");
    assert.equal((await db.get(id)).age, 37, "nothing changed");

    const [a, b] = await db.insertMany([{ name: "a", age: 1 }, { name: "b", age: 2 }]);
    const ra = await db.get(a);
    const rbOld = await db.get(b);
    await db.update(await db.get(b), { age: 3 });
    await assert.rejects(db.update([ra, rbOld], { age: 50 }), ConflictError);
    assert.equal((await db.get(a)).age, 1, "all or none");
    assert.equal((await db.get(a)).__version__, 0);

    const gone = await db.get(a);
    await db.delete(a);
    await assert.rejects(db.update(gone, { age: 5 }), ConflictError, "deleted since read");

    const rb = await db.get(b);
    await assert.rejects(db.update(rb, { nope: 1 }), Error);
    await assert.rejects(db.update(rb, { age: "x" }), Error);
    assert.deepEqual(await db.get(b), rb, "bad changes change nothing");
    await db.close();
  });

  test("delete a record, an id, an array; cleanup keeps ids; commit", async () => {
    const db = await new Base(where()).create({ name: "string" });
    const ids = await db.insertMany(["a", "b", "c", "d", "e"].map((name) => ({ name })));
    await db.delete(await db.get(ids[0]));
    await db.delete(ids[1]);
    await db.delete([ids[2], await db.get(ids[3])]);
    assert.equal(await db.count(), 1);
    for (const id of ids.slice(0, 4)) assert.equal(await db.get(id), undefined);

    await db.cleanup();
    assert.equal(await db.count(), 1);
    const e = await db.get(ids[4]);
    assert.equal(e.__id__, ids[4], "cleanup keeps ids");
    assert.equal(e.name, "e");
    const next = await db.insert({ name: "f" });
    assert.ok(next > ids[4], "ids are not reused after cleanup");
    await db.update(e, { name: "E" });
    await db.commit();
    await db.close();
  });

  test("setDefault, addField, dropField", async () => {
    const path = where();
    let db = await new Base(path).create({ name: "string", age: "int" });
    const ada = await db.insert({ name: "Ada", age: 36 });
    await db.setDefault("age", 7);
    assert.equal((await db.get(await db.insert({ name: "Bo" }))).age, 7);
    await db.close();
    db = await new Base(path).open();
    assert.equal((await db.get(await db.insert({ name: "Cy" }))).age, 7, "default persisted");

    await db.addField("city", "string", { default: "Paris" });
    assert.equal((await db.get(ada)).city, "Paris", "existing records get the default");
    await db.addField("rank", "int", { after: "name" });
    const fields = (r) => Object.keys(r).filter((k) => !k.startsWith("__"));
    assert.deepEqual(fields(await db.get(ada)), ["name", "rank", "age", "city"]);
    assert.equal((await db.get(ada)).rank, null);
    await db.insert({ name: "Di", city: "Rome", rank: 1 });

    await db.dropField("city");
    assert.equal("city" in (await db.get(ada)), false);
    await assert.rejects(db.insert({ name: "Ed", city: "x" }), Error, "dropped field is unknown");
    await assert.rejects(db.setDefault("nope", 1), Error);
    await assert.rejects(db.addField("name", "string"), Error, "duplicate field");
    await assert.rejects(db.addField("__id__", "int"), Error, "reserved name");
    await assert.rejects(db.addField("x", "nope"), Error, "bad type");
    await assert.rejects(db.dropField("nope"), Error);
    await db.close();
  });

  test("transaction: commits together, a throw keeps nothing, serializes", async () => {
    const db = await new Base(where()).create({ name: "string", n: "int" });
    const id = await db.insert({ name: "c", n: 0 });
    await db.transaction(async (tx) => {
      const r = await tx.get(id);
      await tx.update(r, { n: r.n + 1 });
      await tx.insert({ name: "d", n: 5 });
    });
    assert.equal((await db.get(id)).n, 1);
    assert.equal(await db.count(), 2);
    assert.equal(await db.transaction((tx) => tx.count()), 2, "returns what fn returns");

    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.insert({ name: "e" });
        await tx.delete(id);
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(await db.count(), 2, "nothing the failed transaction wrote is kept");
    assert.equal(await db.has(id), true);

    await Promise.all(Array.from({ length: 20 }, () =>
      db.transaction(async (tx) => {
        const r = await tx.get(id);
        await tx.update(r, { n: r.n + 1 });
      })));
    assert.equal((await db.get(id)).n, 21, "no lost increment");
    await db.close();
  });

  test("for await iterates live records", async () => {
    const db = await new Base(where()).create({ name: "string" });
    const ids = await db.insertMany([{ name: "a" }, { name: "b" }, { name: "c" }]);
    await db.delete(ids[1]);
    const seen = [];
    for await (const r of db) seen.push(r.__id__);
    assert.deepEqual(seen.sort((x, y) => x - y), [ids[0], ids[2]]);
    await db.close();
  });

  test("link fields read back as the linked record", async () => {
    const owners = await new Base(where()).create({ name: "string" });
    const pets = await new Base(where()).create({ pet: "string", owner: owners });
    const adaId = await owners.insert({ name: "Ada" });
    const ada = await owners.get(adaId);
    await pets.insert({ pet: "cat", owner: ada });
    await pets.insert({ pet: "stray", owner: null });
    const [cat] = await pets.find({ pet: "cat" });
    assert.equal(cat.owner.__id__, adaId);
    assert.equal(cat.owner.name, "Ada");
    assert.equal((await pets.find({ pet: "stray" }))[0].owner, null);
    assert.deepEqual(Array.from(await pets.select({ owner: ada }), (r) => r.pet), ["cat"]);
    await pets.close();
    await owners.close();
  });

  test("bad input is rejected and changes nothing on disk", async () => {
    await assert.rejects(new Base(where()).create({ __id__: "int" }), Error, "reserved");
    await assert.rejects(new Base(where()).create({ __version__: "int" }), Error, "reserved");
    await assert.rejects(new Base(where()).create({ "a b": "int" }), Error, "invalid name");
    await assert.rejects(new Base(where()).create({ a: "nope" }), Error, "unknown type");

    const path = where();
    const db = await new Base(path).create({ name: "string", age: "int", ok: "bool" });
    await db.insert({ name: "Ada", age: 36, ok: true });
    await db.commit();
    const disk = snapshot(path);
    const rejects = [
      db.insert({ nope: 1 }),
      db.insert({ age: "36" }),
      db.insert({ age: 1.5 }),
      db.insert({ age: 2 ** 53 }),
      db.insert({ name: 5 }),
      db.insert({ ok: "yes" }),
      db.insert({ __id__: 7 }),
      db.select({ age: "x" }),
      db.select({ nope: 1 }),
    ];
    for (const p of rejects) await assert.rejects(p, Error);
    assert.equal(await db.count(), 1);
    assert.equal(snapshot(path), disk, "no file of the base changed");
    await db.close();
  });

  test("Symbol.asyncDispose closes (explicitly: Node 20 has no `await using`)", async () => {
    const path = where();
    const db = await new Base(path).create({ name: "string" });
    await db.insert({ name: "Ada" });
    assert.equal(typeof db[Symbol.asyncDispose], "function");
    await db[Symbol.asyncDispose]();
    await db[Symbol.asyncDispose](); // close is idempotent
    const again = await new Base(path).open();
    assert.equal(await again.count(), 1);
    await again.close();
  });

  test(
    "await using closes at the end of the block",
    { skip: !supportsAwaitUsing() && `Node ${process.version} cannot parse \`await using\`` },
    async () => {
      const path = where();
      const AsyncFunction = (async () => {}).constructor;
      const body = new AsyncFunction(
        "Base",
        "path",
        `{ await using db = await new Base(path).create({ name: "string" });
           await db.insert({ name: "Ada" }); }`,
      );
      await body(Base, path);
      const again = await new Base(path).open();
      assert.equal(await again.count(), 1);
      await again.close();
    },
  );

  test("inside transaction(fn) reads through the base work and writes through it fail at once, never a hang", async () => {
    const db = await new Base(where()).create({ n: "int" });
    const id = await db.insert({ n: 1 });
    const seen = await db.transaction(async (tx) => {
      await tx.update(await tx.get(id), { n: 2 });
      await assert.rejects(db.insert({ n: 3 }), (e) => e instanceof TransactionError);
      return [(await db.get(id)).n, await db.count({ n: 1 }), await tx.count({ n: 2 })];
    });
    assert.deepEqual(seen, [1, 1, 1]);
    assert.equal((await db.get(id)).n, 2);
    await db.close();
  });
});
