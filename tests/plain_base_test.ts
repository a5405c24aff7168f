// Copyright 2026 the psbase authors. MIT license.
// A plain Base shared without the lock: it reads what others committed before
// each call (R3), and a write that would go over a commit it has not read
// fails with BaseChangedError, writing nothing (FORMAT.md, W8).

import assert from "node:assert/strict";
import { join } from "node:path";
import { Base, BaseChangedError, type Transaction } from "../mod.ts";
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

/**
 * Two plain Bases `a` and `b` on one new base holding n = 1; `a`'s transaction
 * `body` must fail with BaseChangedError ("changed", W8). Returns the
 * records then left, as `[__id__, n]`, after checking the base.
 */
async function refusedOverUnread(
  body: (a: Base, b: Base, tx: Transaction) => Promise<void>,
  message = /./,
): Promise<number[][]> {
  return await withTempDir(async (dir) => {
    const path = join(dir, "b");
    const a = await new Base(path).create({ n: "int" });
    const b = await new Base(path).open();
    await a.insert({ n: 1 });
    await assert.rejects(
      () => a.transaction((tx) => body(a, b, tx)),
      (e) => e instanceof BaseChangedError && e.how === "changed" && message.test(e.message),
    );
    await a.close();
    await b.close();
    const again = await new Base(path).open();
    try {
      assert.equal((await again.check()).ok, true);
      return (await again.select()).map((r) => [r.__id__, r.n as number]);
    } finally {
      await again.close();
    }
  });
}

Deno.test("a plain Base refuses to commit over a commit it has not read (W8), and writes nothing", async () => {
  const left = await refusedOverUnread(async (_a, b, tx) => {
    await tx.insert({ n: 2 });
    await b.insert({ n: 3 }); // no lock: lands while a's transaction is open
  }, /PsBase/);
  assert.deepEqual(left.map(([, n]) => n), [1, 3]);
});

Deno.test("a read through a plain Base inside its own transaction does not let the transaction commit over what it has not read (W8): BaseChangedError, nothing written", async () => {
  const left = await refusedOverUnread(async (a, b, tx) => {
    await b.insert({ n: 2 }); // no lock: lands while a's transaction is open
    assert.equal(await a.count(), 2); // the base's own read sees it (and refreshes)...
    await tx.insert({ n: 3 }); // ...but the transaction's state predates it
  });
  assert.deepEqual(left, [[1, 1], [2, 2]]);
});
