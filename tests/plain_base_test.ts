// Copyright 2026 the psbase authors. MIT license.
// A plain Base shared without the lock: it reads what others committed before
// each call (R3), and a write that would go over a commit it has not read
// fails with BaseChangedError, writing nothing (FORMAT.md, W8).

import assert from "node:assert/strict";
import { join } from "node:path";
import { Base, BaseChangedError } from "../mod.ts";
import { withTempDir } from "./_harness/mod.ts";
import { other } from "./_harness/scenarios/cmd.ts";

/** Another process (a plain Base, no lock) makes one write. */
async function otherProcess(path: string, action: string): Promise<void> {
  await other(path, action === "insert" ? [["insert", { n: 2 }]] : [["cleanup"]], "plain");
}

for (const action of ["insert", "cleanup"]) {
  Deno.test(`a plain Base picks up another process's ${action} before its next write, and loses nothing`, async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "b");
      const db = await new Base(path).create({ n: "int" });
      await db.insert({ n: 1 });
      await otherProcess(path, action);
      await db.insert({ n: 3 });
      await db.close();
      const again = await new Base(path).open();
      assert.deepEqual(
        (await again.select()).map((r) => r.n),
        action === "insert" ? [1, 2, 3] : [1, 3],
      );
      await again.close();
    });
  });
}

Deno.test("a plain Base refuses to commit over a commit it has not read (W8), and writes nothing", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "b");
    const a = await new Base(path).create({ n: "int" });
    const b = await new Base(path).open();
    await a.insert({ n: 1 });
    await assert.rejects(
      () =>
        a.transaction(async (tx) => {
          await tx.insert({ n: 2 });
          await b.insert({ n: 3 }); // no lock: lands while a's transaction is open
        }),
      (e) => e instanceof BaseChangedError && e.how === "changed" && /PsBase/.test(e.message),
    );
    await a.close();
    await b.close();
    const again = await new Base(path).open();
    assert.deepEqual((await again.select()).map((r) => r.n), [1, 3]);
    await again.close();
  });
});

Deno.test("a read through a plain Base inside its own transaction does not let the transaction commit over what it has not read (W8): BaseChangedError, nothing written", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "b");
    const a = await new Base(path).create({ n: "int" });
    const b = await new Base(path).open();
    await a.insert({ n: 1 });
    await assert.rejects(
      () =>
        a.transaction(async (tx) => {
          await b.insert({ n: 2 }); // no lock: lands while a's transaction is open
          assert.equal(await a.count(), 2); // the base's own read sees it (and refreshes)...
          await tx.insert({ n: 3 }); // ...but the transaction's state predates it
        }),
      (e) => e instanceof BaseChangedError && e.how === "changed",
    );
    await a.close();
    await b.close();
    const again = await new Base(path).open();
    assert.deepEqual((await again.select()).map((r) => [r.__id__, r.n]), [[1, 1], [2, 2]]);
    assert.equal((await again.check()).ok, true);
    await again.close();
  });
});
