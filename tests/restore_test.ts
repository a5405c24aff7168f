// Copyright 2026 the psbase authors. MIT license.
// FileStore.restore, the engine entry point behind `psbase import` of a dump:
// whole rows, ids and versions as given, as one new generation, or nothing.

import assert from "node:assert/strict";
import { join } from "node:path";
import { PsBase } from "../mod.ts";
import { checkBase } from "../_file/_check.ts";
import { denoFs } from "../_file/_fs_deno.ts";
import { FileStore } from "../_file/_store.ts";
import { snapshotFiles } from "./_helpers.ts";
import { withTempDir } from "./_harness/temp.ts";

const options = { fs: denoFs, sync: true, checkpointBytes: 1 << 16 };

Deno.test("FileStore.restore keeps the ids and versions given, as one new generation that passes check", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "b");
    await (await new PsBase(path).create({ name: "string", n: "int" })).close();
    const s = FileStore.open(path, options);
    s.restore([[3, 5, "three", 3], [10, 0, null, -1]]);
    assert.equal(s.gen, 2);
    assert.equal(s.nextId, 11);
    s.close();
    assert.ok(checkBase(denoFs, path).ok);
    await using db = await new PsBase(path).open();
    assert.deepEqual([...await db.select()], [
      { __id__: 3, __version__: 5, name: "three", n: 3 },
      { __id__: 10, __version__: 0, name: null, n: -1 },
    ]);
    assert.equal(await db.insert({ name: "next" }), 11, "ids are never reused");
  });
});

Deno.test("FileStore.restore refuses ids already given, unordered ids and values not of their type, writing nothing", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "b");
    {
      await using db = await new PsBase(path).create({ name: "string", n: "int" });
      await db.insertMany([{ name: "a" }, { name: "b" }]);
    }
    const before = snapshotFiles(path);
    const s = FileStore.open(path, options);
    try {
      for (
        const [rows, message] of [
          [[[2, 0, "x", 1]], /id 2 is not above 2/],
          [[[5, 0, "x", 1], [4, 0, "y", 1]], /id 4 is not above 5/],
          [[[5, -1, "x", 1]], /bad version -1/],
          [[[5, 0, "x", 1.5]], /field n of 5 holds 1.5/],
          [[[5, 0, "x"]], /a row of 3 values, not 4/],
        ] as const
      ) {
        assert.throws(() => s.restore(rows.map((r) => [...r])), message);
        assert.equal(s.records, 2);
        assert.equal(s.nextId, 3);
      }
    } finally {
      s.close();
    }
    assert.deepEqual(snapshotFiles(path), before);
  });
});
