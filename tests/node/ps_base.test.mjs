// Copyright 2026 the psbase authors. MIT license.
// The Node suite for PsBase: a Base safe across processes.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Base, LockTimeoutError, PsBase } from "psbase";
import { child, runChild, tempDir } from "./_helpers.mjs";

let tmp;
let n = 0;
before(() => (tmp = tempDir()));
after(() => tmp.cleanup());
const where = () => join(tmp.dir, `p${++n}`);

describe("PsBase in Node (installed package)", () => {
  test("basic use; two handles see each other's writes", async () => {
    const path = where();
    const a = await new PsBase(path, { timeoutMs: 5000 }).create({ tag: "string", i: "int" });
    assert.ok(a instanceof Base, "a PsBase is a Base");
    const b = await new PsBase(path, { timeoutMs: 5000 }).open();
    const id = await a.insert({ tag: "a", i: 1 });
    assert.equal(await b.count(), 1, "no stale count");
    assert.equal((await b.get(id)).tag, "a");
    const id2 = await b.insert({ tag: "b", i: 2 });
    assert.notEqual(id2, id, "no stale id");
    assert.deepEqual(Array.from(await a.select(["tag"]), (r) => r.tag).sort(), ["a", "b"]);
    await b.addField("extra", "int", { default: 7 });
    assert.equal((await a.get(id)).extra, 7, "schema change seen by the other handle");
    await a.transaction(async (tx) => {
      const r = await tx.get(id);
      await tx.update(r, { i: r.i + 1 });
    });
    assert.equal((await b.get(id)).i, 2);
    await a.close();
    await b.close();
  });

  test("timeoutMs: a held transaction makes another handle's write time out; reads go on", async () => {
    const path = where();
    const a = await new PsBase(path).create({ i: "int" });
    const b = await new PsBase(path, { timeoutMs: 150 }).open();
    let release;
    const gate = new Promise((r) => (release = r));
    let entered;
    const inside = new Promise((r) => (entered = r));
    const tx = a.transaction(async (t) => {
      await t.insert({ i: 1 });
      entered();
      await gate;
    });
    await inside;
    await assert.rejects(b.insert({ i: 2 }), LockTimeoutError);
    assert.equal(await b.count(), 0, "reads take no lock and see no uncommitted write");
    release();
    await tx;
    assert.equal(await b.count(), 1);
    await a.close();
    await b.close();
  });

  test("two Node processes: distinct ids, exact count, no lost increment", async () => {
    const path = where();
    const db = await new PsBase(path, { timeoutMs: 30_000 }).create({ tag: "string", i: "int" });
    const counter = await db.insert({ tag: "counter", i: 0 });
    const other = runChild("insert", path, 40, "child");
    const mine = [];
    for (let i = 0; i < 40; i++) mine.push(await db.insert({ tag: "parent", i }));
    const theirs = JSON.parse((await other)[0]);
    const all = new Set([counter, ...mine, ...theirs]);
    assert.equal(all.size, 81, "every id distinct across processes");
    assert.equal(await db.count(), 81);

    const inc = runChild("increment", path, counter, 25);
    for (let i = 0; i < 25; i++) {
      await db.transaction(async (tx) => {
        const r = await tx.get(counter);
        await tx.update(r, { i: r.i + 1 });
      });
    }
    assert.deepEqual(await inc, ["done"]);
    assert.equal((await db.get(counter)).i, 50, "read-modify-write is atomic across processes");
    await db.close();
  });

  test("another process inside a transaction: this one waits, then sees its commit", async () => {
    const path = where();
    const db = await new PsBase(path, { timeoutMs: 150 }).create({ tag: "string", i: "int" });
    await db.insert({ tag: "x", i: 0 });
    const holder = child("hold-base", path);
    await holder.waitFor("held");
    await assert.rejects(db.insert({ tag: "y", i: 1 }), LockTimeoutError);
    holder.proc.stdin.end();
    const { code } = await holder.done;
    assert.equal(code, 0);
    assert.equal(await db.count(), 1);
    await db.close();
  });
});
