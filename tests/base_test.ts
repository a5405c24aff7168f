// Copyright 2026 the psbase authors. MIT license.
// Base: every method of the contract, the field types, and bad input.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import {
  Base,
  BaseExistsError,
  BaseNotFoundError,
  ConflictError,
  CorruptionError,
  type RecordOf,
  ResultSet,
} from "../mod.ts";
import { snapshotFiles } from "./_helpers.ts";
import { withTempDir } from "./_harness/temp.ts";

const SCHEMA = {
  name: "string",
  age: { type: "int", default: 0 },
  score: "float",
  ok: "bool",
  born: "date",
  seen: "datetime",
} as const;

async function people(dir: string, options = {}): Promise<Base> {
  return await new Base(join(dir, "people"), options).create({ ...SCHEMA });
}

Deno.test("create() makes a base that open() reads back, with every field type and null", async () => {
  await withTempDir(async (dir) => {
    const db = await people(dir);
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
    const again = await new Base(join(dir, "people")).open();
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
});

Deno.test("a date field keeps the UTC day and drops the time of day", async () => {
  await withTempDir(async (dir) => {
    await using db = await people(dir);
    const id = await db.insert({ born: new Date(Date.UTC(2020, 4, 6, 23, 59, 59, 999)) });
    assert.deepEqual((await db.get(id))!.born, new Date(Date.UTC(2020, 4, 6)));
  });
});

Deno.test("create() without mode fails on an existing base; 'open' opens it only with its own schema, saying what differs; 'override' replaces it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "people");
    const db = await people(dir);
    await db.insert({ name: "kept" });
    await db.close();
    await assert.rejects(() => new Base(path).create({ x: "int" }), BaseExistsError);
    await assert.rejects(
      () => new Base(path).create({ ...SCHEMA, age: "float", x: "int" }, { mode: "open" }),
      (e) =>
        e instanceof BaseExistsError && e.differences.length === 2 &&
        /field "age" is int in the base, float here/.test(e.message) &&
        /field "x" is not in the base/.test(e.message) && /field "seen"/.test(e.message) === false,
    );
    const opened = await new Base(path).create({ ...SCHEMA }, { mode: "open" });
    assert.equal(await opened.count(), 1);
    assert.deepEqual(Object.keys(opened.schema), Object.keys(SCHEMA));
    await opened.close();
    const fresh = await new Base(path).create({ x: "int" }, { mode: "override" });
    assert.equal(await fresh.count(), 0);
    assert.deepEqual(Object.keys(fresh.schema), ["x"]);
    await fresh.close();
  });
});

Deno.test("open() of a folder with no base fails with an error naming the path", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "nothing");
    await assert.rejects(() => new Base(path).open(), (e: Error) => e.message.includes(path));
    assert.equal(fs.existsSync(path), false);
  });
});

Deno.test("methods on a closed base fail clearly; close() is idempotent; await using closes", async () => {
  await withTempDir(async (dir) => {
    const db = await people(dir);
    await db.close();
    await db.close();
    await assert.rejects(() => db.count(), /not open/);
    let outer: Base;
    {
      await using inner = await new Base(join(dir, "people")).open();
      outer = inner;
      assert.equal(inner.isOpen, true);
    }
    assert.equal(outer.isOpen, false);
  });
});

Deno.test("destroy() removes the base's files and folder", async () => {
  await withTempDir(async (dir) => {
    const db = await people(dir);
    await db.insert({ name: "x" });
    await db.destroy();
    assert.equal(fs.existsSync(join(dir, "people")), false);
    await assert.rejects(() => new Base(join(dir, "people")).open(), BaseNotFoundError);
  });
});

Deno.test("insert() gives increasing ids never reused after delete and cleanup", async () => {
  await withTempDir(async (dir) => {
    const db = await people(dir);
    const a = await db.insert({ name: "a" });
    const b = await db.insert({ name: "b" });
    assert.equal(b, a + 1);
    await db.delete(b);
    await db.cleanup();
    await db.close();
    const again = await new Base(join(dir, "people")).open();
    const c = await again.insert({ name: "c" });
    assert.equal(c, b + 1);
    await again.close();
  });
});

Deno.test("get() finds every live id and no other in a data file with sparse ids", async () => {
  await withTempDir(async (dir) => {
    const db = await new Base(join(dir, "t")).create({ n: "int" });
    const ids = await db.insertMany(Array.from({ length: 3000 }, (_, i) => ({ n: i })));
    const gone = new Set(ids.filter((id) => (id * 2654435761) % 7 < 3 || (id > 1000 && id < 1500)));
    await db.delete([...gone]);
    await db.cleanup(); // the survivors are now in the data file, with gaps
    await db.close();
    const again = await new Base(join(dir, "t")).open(); // cold: positioned reads
    for (let id = -2; id < 3010; id++) {
      const r = await again.get(id);
      assert.equal(r !== undefined, id >= 1 && id <= 3000 && !gone.has(id), `id ${id}`);
      if (r) assert.equal(r.n, id - 1);
    }
    await again.close();
  });
});

Deno.test("a cold get() from the data file tells null from 0, false and the empty string", async () => {
  await withTempDir(async (dir) => {
    const db = await people(dir);
    const rows = [
      { name: "", age: 0, score: 0, ok: false, born: new Date(0), seen: new Date(0) },
      { name: null, age: null, score: null, ok: null, born: null, seen: null },
      { name: "x", age: -1, score: 0.5, ok: true, born: null, seen: new Date(5) },
    ];
    const ids = await db.insertMany(rows);
    await db.cleanup(); // into the data file
    await db.close();
    const cold = await new Base(join(dir, "people")).open();
    for (const [k, id] of ids.entries()) {
      assert.deepEqual(await cold.get(id), { __id__: id, __version__: 0, ...rows[k] });
    }
    await cold.close();
  });
});

Deno.test("concurrent calls on one Base are serialized: Promise.all of inserts gives distinct ids", async () => {
  await withTempDir(async (dir) => {
    await using db = await people(dir);
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => db.insert({ age: i })));
    assert.equal(new Set(ids).size, 50);
    assert.equal(await db.count(), 50);
  });
});

Deno.test("insertMany() inserts all or none", async () => {
  await withTempDir(async (dir) => {
    await using db = await people(dir);
    const ids = await db.insertMany([{ name: "a" }, { name: "b" }]);
    assert.deepEqual(ids.length, 2);
    await assert.rejects(
      () => db.insertMany([{ name: "c" }, { name: 5 }]),
      (e: Error) => e instanceof TypeError && /name/.test(e.message) && /5/.test(e.message),
    );
    assert.equal(await db.count(), 2);
    assert.equal((await db.find({ name: "c" })).length, 0);
  });
});

Deno.test("get(), has() and count() follow inserts and deletes", async () => {
  await withTempDir(async (dir) => {
    await using db = await people(dir);
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
});

Deno.test("select() with field lists, equality, null, ranges, RegExp and predicates", async () => {
  await withTempDir(async (dir) => {
    await using db = await people(dir);
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
});

Deno.test("select() sees updates and deletes made since the last checkpoint", async () => {
  await withTempDir(async (dir) => {
    const db = await people(dir);
    await db.insertMany(Array.from({ length: 200 }, (_, i) => ({ name: `n${i}`, age: i })));
    await db.cleanup(); // all rows now in the data file
    const [r] = await db.find({ name: "n10" });
    await db.update(r, { name: "ten" });
    await db.delete((await db.find({ name: "n11" }))[0]);
    assert.deepEqual((await db.select({ name: "n10" })).length, 0);
    assert.deepEqual((await db.select({ name: "ten" }))[0].age, 10);
    assert.deepEqual((await db.select({ age: [9, 12] })).map((r) => r.name), ["n9", "ten", "n12"]);
    await db.close();
  });
});

Deno.test("ResultSet.sortBy() sorts by several keys, nulls first ascending", async () => {
  await withTempDir(async (dir) => {
    await using db = await people(dir);
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
});

Deno.test("update() bumps __version__ and updates the caller's record", async () => {
  await withTempDir(async (dir) => {
    await using db = await people(dir);
    await db.insertMany([{ name: "a", age: 1 }, { name: "b", age: 2 }]);
    const rows = await db.select();
    await db.update(rows, { age: 9 });
    assert.deepEqual(rows.map((r) => [r.age, r.__version__]), [[9, 1], [9, 1]]);
    const stored = await db.select();
    assert.deepEqual(stored.map((r) => [r.age, r.__version__]), [[9, 1], [9, 1]]);
    await db.update(stored[0], { age: 10 });
    assert.equal((await db.get(stored[0].__id__))!.__version__, 2);
  });
});

Deno.test("update() throws ConflictError on a stale record, changes nothing and leaves the caller's record alone", async () => {
  await withTempDir(async (dir) => {
    await using db = await people(dir);
    await db.insertMany([{ name: "a", age: 1 }, { name: "b", age: 2 }]);
    const [a, b] = await db.select();
    const staleB: RecordOf = { ...b };
    await db.update(b, { age: 3 });
    const before = snapshotFiles(join(dir, "people"));
    const copyA = { ...a };
    await assert.rejects(
      () => db.update([a, staleB], { age: 100 }),
      (e: unknown) => e instanceof ConflictError && e.id === b.__id__ && e.actual === 1,
    );
    assert.deepEqual(a, copyA);
    assert.deepEqual(snapshotFiles(join(dir, "people")), before);
    assert.deepEqual((await db.select()).map((r) => r.age), [1, 3]);
    await db.delete(a);
    await assert.rejects(
      () => db.update(a, { age: 5 }),
      (e: unknown) => e instanceof ConflictError && e.actual === null,
    );
  });
});

Deno.test("delete() takes a record, an id or an array of them", async () => {
  await withTempDir(async (dir) => {
    await using db = await people(dir);
    const ids = await db.insertMany(Array.from({ length: 5 }, (_, i) => ({ age: i })));
    assert.equal(await db.delete((await db.get(ids[0]))!), 1);
    assert.equal(await db.delete(ids[1]), 1);
    assert.equal(await db.delete([ids[2], (await db.get(ids[3]))!]), 2);
    assert.deepEqual((await db.select()).map((r) => r.__id__), [ids[4]]);
  });
});

Deno.test("cleanup() keeps live records and ids, and leaves one generation on disk", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "people");
    const db = await people(dir);
    const ids = await db.insertMany(Array.from({ length: 100 }, (_, i) => ({ age: i })));
    await db.delete(ids.filter((_, i) => i % 2 === 0));
    await db.update((await db.get(ids[1]))!, { name: "one" });
    await db.cleanup();
    assert.equal(await db.count(), 50);
    assert.equal((await db.get(ids[1]))!.name, "one");
    assert.equal((await db.get(ids[1]))!.__version__, 1);
    const files = fs.readdirSync(path).sort();
    assert.equal(files.length, 3, `one generation only: ${files}`);
    assert.match(files.join(" "), /^data\.(\d+) log\.\1 manifest\.json$/);
    assert.notEqual(files[0], "data.1", "cleanup writes a new generation");
    await db.close();
  });
});

Deno.test("commit() resolves on an open base and keeps everything", async () => {
  await withTempDir(async (dir) => {
    const db = await people(dir, { sync: false });
    await db.insert({ name: "x" });
    await db.commit();
    await db.close();
    const again = await new Base(join(dir, "people")).open();
    assert.equal(await again.count(), 1);
    await again.close();
  });
});

Deno.test("setDefault() persists and applies to later inserts", async () => {
  await withTempDir(async (dir) => {
    const db = await people(dir);
    await db.setDefault("name", "anon");
    await db.close();
    const again = await new Base(join(dir, "people")).open();
    const id = await again.insert({});
    assert.equal((await again.get(id))!.name, "anon");
    assert.equal(again.schema.name.default, "anon");
    await again.close();
  });
});

Deno.test("addField() after updates keeps every record aligned and gives them the default", async () => {
  await withTempDir(async (dir) => {
    const db = await people(dir);
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
    await db.close();
  });
});

Deno.test("dropField() removes the field from records and its data from disk", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "people");
    const db = await people(dir);
    await db.insert({ name: "secret-value-xyz", age: 3 });
    await db.dropField("name");
    assert.equal("name" in (await db.select())[0], false);
    assert.equal((await db.select())[0].age, 3);
    await db.close();
    for (const f of fs.readdirSync(path)) {
      assert.equal(fs.readFileSync(join(path, f), "latin1").includes("secret-value-xyz"), false, f);
    }
  });
});

Deno.test("transaction() commits all its writes together, or none when fn throws", async () => {
  await withTempDir(async (dir) => {
    await using db = await people(dir);
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
});

Deno.test("async iteration yields every live record", async () => {
  await withTempDir(async (dir) => {
    await using db = await people(dir);
    const ids = await db.insertMany([{ age: 1 }, { age: 2 }, { age: 3 }]);
    await db.delete(ids[1]);
    const seen: number[] = [];
    for await (const r of db) seen.push(r.__id__);
    assert.deepEqual(seen, [ids[0], ids[2]]);
  });
});

Deno.test("link fields read back as the linked record and still open after the pair is moved", async () => {
  await withTempDir(async (dir) => {
    const owners = await new Base(join(dir, "a", "owners")).create({ name: "string" });
    const pets = await new Base(join(dir, "a", "pets")).create({ name: "string", owner: owners });
    const bob = await owners.get(await owners.insert({ name: "Bob" }));
    await pets.insertMany([{ name: "Rex", owner: bob }, { name: "Stray", owner: null }]);
    assert.deepEqual((await pets.find({ owner: bob })).map((p) => p.name), ["Rex"]);
    assert.deepEqual((await pets.find({ owner: null })).map((p) => p.name), ["Stray"]);
    await pets.close();
    await owners.close();
    fs.renameSync(join(dir, "a"), join(dir, "b"));
    const moved = await new Base(join(dir, "b", "pets")).open();
    const [rex] = await moved.find({ name: "Rex" });
    assert.deepEqual(rex.owner, { __id__: bob!.__id__, __version__: 0, name: "Bob" });
    await moved.close();
  });
});

// ---- bad input: a clear error, raised before anything is written ----

async function assertUnchanged(
  dir: string,
  fn: (db: Base) => Promise<unknown>,
  pattern: RegExp,
  kind: ErrorConstructor = TypeError,
): Promise<void> {
  const db = await people(dir);
  await db.insertMany([{ name: "a", age: 1 }, { name: "b", age: 2 }]);
  const path = join(dir, "people");
  const before = snapshotFiles(path);
  await assert.rejects(() => fn(db), (e: Error) => {
    assert.ok(e instanceof kind, `${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
  assert.deepEqual(snapshotFiles(path), before, "files must be byte-identical after bad input");
  assert.equal(await db.count(), 2);
  await db.close();
}

const badInputs: Array<[string, (db: Base) => Promise<unknown>, RegExp, ErrorConstructor?]> = [
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
  ["select() with an unknown field", (db) => db.select({ nope: 1 }), /unknown field "nope"/],
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
    /Invalid field name/,
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
  ["addField() with a bad default", (db) => db.addField("z", "int", { default: "x" }), /"z"/],
  ["dropField() of an unknown field", (db) => db.dropField("nope"), /"nope"/],
  ["setDefault() of an unknown field", (db) => db.setDefault("nope", 1), /"nope"/],
  ["setDefault() with a wrong type", (db) => db.setDefault("age", "old"), /setDefault: .*"age"/],
  ["transaction() with a non-function", (db) => db.transaction(5 as never), /function/],
];

for (const [what, fn, pattern, kind] of badInputs) {
  Deno.test(`${what} throws a clear error and leaves the files byte-identical`, async () => {
    await withTempDir((dir) => assertUnchanged(dir, fn, pattern, kind));
  });
}

Deno.test("new Base() rejects an empty path, unknown options and bad option values", () => {
  assert.throws(() => new Base(""), TypeError);
  assert.throws(() => new Base("x", { checkpointBytes: -1 }), RangeError);
  assert.throws(() => new Base("x", { timeout: 5 } as never), /unknown option "timeout"/);
  assert.throws(() => new Base("x", { timeoutMs: 5 } as never), /unknown option "timeoutMs"/);
  assert.throws(() => new Base("x", { sync: "yes" } as never), /sync must be true or false/);
});

Deno.test("open() and create() on a path that is a file fail naming it, changing nothing", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "afile");
    fs.writeFileSync(file, "mine");
    await assert.rejects(
      () => new Base(file).open(),
      /afile.*is a file, not a folder|there is no base there/,
    );
    await assert.rejects(() => new Base(join(file, "b")).open(), /is a file, not a folder/);
    await assert.rejects(() => new Base(join(file, "b")).create({ a: "int" }), /is a file/);
    assert.deepEqual(snapshotFiles(dir), new Map([["afile", btoa("mine")]]));
  });
});

Deno.test("create() refuses a folder holding files that are not psbase's", async () => {
  await withTempDir(async (dir) => {
    fs.writeFileSync(join(dir, "notes.txt"), "mine");
    await assert.rejects(() => new Base(dir).create({ a: "int" }), /notes\.txt/);
    assert.deepEqual(fs.readdirSync(dir), ["notes.txt"]);
  });
});

Deno.test("create({ mode: 'override' }) in a folder with foreign files removes nothing", async () => {
  await withTempDir(async (dir) => {
    const db = await new Base(dir).create({ a: "int" });
    await db.insert({ a: 1 });
    fs.writeFileSync(join(dir, "notes.txt"), "mine");
    const before = snapshotFiles(dir);
    await assert.rejects(() => db.create({ b: "int" }, { mode: "override" }), /notes\.txt/);
    assert.deepEqual(snapshotFiles(dir), before);
    assert.equal(await db.count(), 1, "the open base stays open");
    await db.close();
  });
});

// ---- damaged files ----

Deno.test("a damaged data file is reported with an error naming it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "people");
    const db = await people(dir);
    await db.insertMany(Array.from({ length: 100 }, (_, i) => ({ name: `n${i}`, age: i })));
    await db.cleanup();
    await db.close();
    const data = fs.readdirSync(path).find((f) => f.startsWith("data."))!;
    const bytes = fs.readFileSync(join(path, data));
    bytes[bytes.length - 10] ^= 0xff; // inside the last column
    fs.writeFileSync(join(path, data), bytes);
    const again = await new Base(path).open();
    await assert.rejects(
      () => again.select({ seen: null }),
      (e: unknown) => e instanceof CorruptionError && e.file === join(path, data),
    );
    await again.close();
    fs.writeFileSync(join(path, data), bytes.subarray(0, 100));
    await assert.rejects(() => new Base(path).open(), (e: Error) => e.message.includes(data));
  });
});

Deno.test("a damaged log record followed by more records is reported, naming the log", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "people");
    const db = await people(dir);
    await db.insert({ name: "first" });
    await db.insert({ name: "second" });
    await db.close();
    const log = fs.readdirSync(path).find((f) => f.startsWith("log."))!;
    const bytes = fs.readFileSync(join(path, log));
    bytes[16 + 12] ^= 0x01; // inside the first record's body
    fs.writeFileSync(join(path, log), bytes);
    await assert.rejects(
      () => new Base(path).open(),
      (e: unknown) => e instanceof CorruptionError && e.file === join(path, log),
    );
  });
});

Deno.test("a torn last log record is dropped, never read as data, and cut off by the next write", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "people");
    const db = await people(dir);
    await db.insert({ name: "kept" });
    await db.insert({ name: "torn" });
    await db.close();
    const log = join(path, fs.readdirSync(path).find((f) => f.startsWith("log."))!);
    const full = fs.statSync(log).size;
    fs.truncateSync(log, full - 5);
    const again = await new Base(path).open();
    assert.deepEqual((await again.select()).map((r) => r.name), ["kept"]);
    const id = await again.insert({ name: "after" });
    assert.equal(id, 2);
    await again.close();
    const third = await new Base(path).open();
    assert.deepEqual((await third.select()).map((r) => r.name), ["kept", "after"]);
    await third.close();
  });
});

Deno.test("a damaged manifest is reported with an error naming it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "people");
    await (await people(dir)).close();
    fs.writeFileSync(join(path, "manifest.json"), "{ not json");
    await assert.rejects(
      () => new Base(path).open(),
      (e: unknown) => e instanceof CorruptionError && e.file.endsWith("manifest.json"),
    );
  });
});

Deno.test("checkpoints fold the log into a new data file and keep every record", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "people");
    const db = await people(dir, { checkpointBytes: 4096 });
    for (let i = 0; i < 300; i++) await db.insert({ name: `n${i}`, age: i });
    const gens = fs.readdirSync(path).filter((f) => f.startsWith("data."));
    assert.equal(gens.length, 1);
    assert.notEqual(gens[0], "data.1", "the log must have been checkpointed");
    await db.close();
    const again = await new Base(path).open();
    assert.equal(await again.count(), 300);
    assert.deepEqual((await again.find({ name: "n299" }))[0].age, 299);
    await again.close();
  });
});
