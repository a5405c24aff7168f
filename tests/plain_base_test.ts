// Copyright 2026 the psbase authors. MIT license.
// A plain Base shared by two processes without the lock: writes that would
// overwrite what it has not read fail with a clear error (FORMAT.md, W8).

import assert from "node:assert/strict";
import { join } from "node:path";
import { Base } from "../mod.ts";
import { withTempDir } from "./_harness/mod.ts";
import { other } from "./_harness/scenarios/cmd.ts";

/** Another process (a plain Base, no lock) makes one write. */
async function otherProcess(path: string, action: string): Promise<void> {
  await other(path, action === "insert" ? [["insert", { n: 2 }]] : [["cleanup"]], "plain");
}

for (const action of ["insert", "cleanup"]) {
  Deno.test(`a plain Base refuses to write after another process's ${action}, and loses nothing`, async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "b");
      const db = await new Base(path).create({ n: "int" });
      await db.insert({ n: 1 });
      await otherProcess(path, action);
      await assert.rejects(() => db.insert({ n: 3 }), /changed by another process.*PsBase/);
      await db.close();
      const again = await new Base(path).open();
      assert.deepEqual((await again.select()).map((r) => r.n), action === "insert" ? [1, 2] : [1]);
      await again.close();
    });
  });
}
