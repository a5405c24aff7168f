// Copyright 2026 the psbase authors. MIT license.
// PsBase in one process: fresh state on every call, lock timeouts, and no
// side effects on a failed open. (Races between processes: race_test.ts.)

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { LockTimeoutError, PsBase, PsLock } from "../mod.ts";
import { snapshotFiles } from "./_helpers.ts";
import { withTempDir } from "./_harness/temp.ts";

Deno.test("PsBase.open() of a missing base fails and creates nothing", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "missing", "base");
    await assert.rejects(() => new PsBase(path).open(), /there is no base there/);
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});

Deno.test("two PsBases on one path see each other's inserts, cleanup, schema changes and defaults", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "shared");
    const a = await new PsBase(path).create({ name: "string" });
    const b = await new PsBase(path).open();
    const ids = await a.insertMany([{ name: "x" }, { name: "y" }, { name: "z" }]);
    assert.equal(await b.count(), 3);
    assert.equal(await b.insert({ name: "w" }), ids[2] + 1, "b must not reuse a's ids");
    await b.delete(ids[0]);
    await b.cleanup();
    assert.equal(await a.count(), 3);
    assert.equal((await a.get(ids[1]))!.name, "y", "a's reads after b's cleanup");
    await b.addField("age", "int", { default: 7 });
    await b.setDefault("name", "anon");
    const id = await a.insert({ age: 1 } as never); // a field another instance added
    assert.deepEqual(await b.get(id), { __id__: id, __version__: 0, name: "anon", age: 1 });
    await b.dropField("age");
    assert.equal("age" in (await a.get(id))!, false);
    await b.destroy();
    await assert.rejects(() => a.count(), /another process destroyed it/);
    await a.close();
    await b.close();
  });
});

Deno.test("a PsBase write waiting past timeoutMs throws LockTimeoutError and writes nothing; reads go on", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "t");
    const db = await new PsBase(path, { timeoutMs: 100 }).create({ n: "int" });
    const before = snapshotFiles(path);
    const lock = new PsLock(db.lockPath);
    const held = await lock.acquire();
    try {
      await assert.rejects(
        () => db.insert({ n: 1 }),
        (e: unknown) => e instanceof LockTimeoutError && e.path === db.lockPath,
      );
      await assert.rejects(() => db.transaction(() => {}), LockTimeoutError);
      assert.equal(await db.count(), 0, "reads take no lock (FORMAT.md, R4)");
    } finally {
      held.release();
    }
    assert.deepEqual(snapshotFiles(path), before);
    assert.equal(await db.insert({ n: 1 }), 1);
    await db.close();
  });
});

Deno.test("the lock file sits beside the base folder and outlives destroy()", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "t");
    const db = await new PsBase(path).create({ n: "int" });
    assert.equal(db.lockPath, path + ".lock");
    await db.destroy();
    assert.equal(fs.existsSync(path), false);
    assert.equal(fs.existsSync(path + ".lock"), true);
  });
});

Deno.test("PsBase rejects a bad timeoutMs and unknown options", () => {
  assert.throws(() => new PsBase("x", { timeoutMs: -1 }), RangeError);
  assert.throws(() => new PsBase("x", { timeout: 5 } as never), /unknown option "timeout"/);
  assert.ok(new PsBase("x", { timeoutMs: 5, lockPath: "/tmp/x.lock", sync: false }));
});

Deno.test("a PsBase whose lockPath is inside its own folder is a RangeError, and one under a file says a folder above its lock file is a file; neither creates anything", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "b");
    assert.throws(
      () => new PsBase(path, { lockPath: join(path, "my.lock") }),
      (e) =>
        e instanceof RangeError &&
        /lockPath .*my\.lock is inside the base's folder/.test(e.message),
    );
    assert.throws(() => new PsBase(path, { lockPath: path }), RangeError);
    new PsBase(path, { lockPath: join(dir, "b.other.lock") }); // beside it: fine
    fs.writeFileSync(join(dir, "afile"), "x");
    const before = snapshotFiles(dir);
    await assert.rejects(
      new PsBase(join(dir, "afile", "sub")).create({ n: "int" }),
      /Cannot take the lock on \S+sub\.lock: a folder above it is a file, not a folder/,
    );
    assert.deepEqual(snapshotFiles(dir), before);
  });
});
