// Copyright 2026 the psbase authors. MIT license.
// Base: what is specific to a base stored as a folder of files: the files a
// call leaves (byte for byte after bad input), damaged and torn files,
// checkpoints, folder rules, moving a folder. The API contract every kind of
// base keeps is tests/_api_suite.ts, run by tests/api_test.ts.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { Base, BaseNotFoundError, ConflictError, CorruptionError, type RecordOf } from "../mod.ts";
import { osReason } from "../_errors.ts";
import { BAD_INPUTS } from "./_api_suite.ts";
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

Deno.test("open() of a folder with no base fails naming it and creates nothing", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "nothing");
    await assert.rejects(() => new Base(path).open(), (e: Error) => e.message.includes(path));
    assert.equal(fs.existsSync(path), false);
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

Deno.test("update() of a stale record leaves the files byte-identical", async () => {
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

for (const [what, fn, pattern, kind] of BAD_INPUTS) {
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

Deno.test('every call on a base that is not open says so in one form: "Cannot <call>: the base at <path> is not open" (or "Cannot get from the base at <path>: it is not open")', async () => {
  const db = new Base("/nonexistent/psbase/not-open");
  const calls: [string, () => unknown][] = [
    ["get", () => db.get(1)],
    ["has", () => db.has(1)],
    ["count", () => db.count()],
    ["find", () => db.find()],
    ["select", () => db.select()],
    ["insert", () => db.insert({})],
    ["update", () => db.update({ __id__: 1, __version__: 0 }, { a: 1 })],
    ["delete", () => db.delete(1)],
    ["transaction", () => db.transaction(() => Promise.resolve())],
    ["schema", () => db.schema],
  ];
  for (const [name, call] of calls) {
    let message = "";
    try {
      await call();
    } catch (e) {
      message = (e as Error).message;
    }
    assert.match(
      message,
      /^Cannot [a-z ]+(: the base at \S+ is| (of|from|in) the base at \S+: it is) not open \(call open\(\) or create\(\)\)$/,
      `${name}: ${message}`,
    );
    assert.doesNotMatch(message, / (of|from|in): /, `${name}: a preposition with no object`);
  }
});

Deno.test("osReason drops the call and path the runtime appends to an OS error, for Deno's and Node's forms, renames and paths with a quote", () => {
  const cases: [string, string][] = [
    ["Read-only file system (os error 30): open '/x/log.1'", "Read-only file system (os error 30)"],
    ["EACCES: permission denied, open '/x/log.1'", "EACCES: permission denied"],
    [
      "No such file or directory (os error 2): rename '/x/a' -> '/x/b'",
      "No such file or directory (os error 2)",
    ],
    [
      "ENOENT: no such file or directory, rename '/x/a' -> '/x/b'",
      "ENOENT: no such file or directory",
    ],
    ["Not a directory (os error 20): mkdir '/tmp/O'Brien/f'", "Not a directory (os error 20)"],
    ["disk full", "disk full"],
  ];
  for (const [message, reason] of cases) assert.equal(osReason(new Error(message)), reason);
});

Deno.test("an update stored while its link's base cannot be read resolves, and the caller's record gets the new version, keeping the link value given", async () => {
  await withTempDir(async (dir) => {
    const owners = await new Base(join(dir, "owners")).create({ name: "string" });
    await using pets = await new Base(join(dir, "pets")).create({ name: "string", owner: owners });
    const ann = await owners.insert({ name: "Ann" });
    const rex = (await pets.get(await pets.insert({ name: "Rex" })))!;
    await owners.close();
    fs.writeFileSync(join(dir, "owners", "manifest.json"), "damaged"); // its reads now throw
    await pets.update(rex, { owner: ann, name: "Rex 2" });
    assert.deepEqual([rex.__version__, rex.name, rex.owner], [1, "Rex 2", ann]);
    await assert.rejects(pets.get(rex.__id__), CorruptionError, "a read of it does throw");
    await pets.transaction(async (tx) => {
      await tx.update(rex, { name: "Rex 3" });
    });
    assert.equal(await pets.count({ owner: ann }), 1, "stored");
  });
});
