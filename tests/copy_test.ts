// Copyright 2026 the psbase authors. MIT license.
// copyBase between folders (_pg/_copy.ts; the copies to and from PostgreSQL
// are in tests/pg_test.ts): link fields re-pointed beside the destination,
// a destination that is, or is inside, the source's folder (or the reverse)
// refused before anything is written, and "override" killed at random
// moments leaving one whole base.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { Base, PsBase, type RecordOf } from "../mod.ts";
import { copyBase } from "../pg.ts";
import { LAST_ID } from "../_storage/_schema.ts";
import { snapshotTree } from "./_cli.ts";
import { restoredBase } from "./_helpers.ts";
import { killCopies, makeSources } from "./_harness/scenarios/copy.ts";
import { withTempDir } from "./_harness/temp.ts";
import { within } from "./_harness/time.ts";

Deno.test("copyBase() from a folder to a folder re-points a link at the base of the same last name beside the destination: the copy's links read the copied records, not the original's", async () => {
  await withTempDir(async (dir) => {
    {
      await using owners = await new PsBase(join(dir, "a", "owners")).create({ name: "string" });
      await using pets = await new PsBase(join(dir, "a", "pets")).create({
        name: "string",
        owner: owners,
      });
      const [ann] = await owners.insertMany([{ name: "Ann" }]);
      await pets.insertMany([{ name: "Rex", owner: ann }, { name: "Ghost", owner: 42 }]);
    }
    for (const name of ["owners", "pets"]) {
      await copyBase(new PsBase(join(dir, "a", name)), new PsBase(join(dir, "b", name)));
    }
    // The original owner changes after the copy: the copy must not see it.
    {
      await using owners = await new PsBase(join(dir, "a", "owners")).open();
      await owners.update((await owners.get(1))!, { name: "changed in the original" });
    }
    await using pets = await new PsBase(join(dir, "b", "pets")).open();
    assert.equal(pets.schema.owner.base, join(dir, "b", "owners"));
    const rex = (await pets.find({ name: "Rex" }))[0];
    assert.equal((rex.owner as RecordOf).name, "Ann");
    assert.equal((await pets.find({ owner: 42 })).length, 1, "a link to no record keeps its id");
    const stored = JSON.parse(fs.readFileSync(join(dir, "b", "pets", "manifest.json"), "utf8"));
    assert.equal(
      stored.fields.find((f: { name: string }) => f.name === "owner").base,
      "../owners",
      "stored relative to the copy's folder (FORMAT.md, F2)",
    );
  });
});

Deno.test("copyBase() of a base that links to itself, under another name, links the copy to the copy", async () => {
  await withTempDir(async (dir) => {
    {
      await using people = await new Base(join(dir, "people")).create({ name: "string" });
      await people.addField("boss", people);
      const ada = await people.insert({ name: "Ada" });
      await people.insert({ name: "Bob", boss: ada } as never);
    }
    await copyBase(new Base(join(dir, "people")), new Base(join(dir, "staff")));
    {
      await using people = await new Base(join(dir, "people")).open();
      await people.update((await people.get(1))!, { name: "changed in the original" });
    }
    await using staff = await new Base(join(dir, "staff")).open();
    assert.equal(staff.schema.boss.base, join(dir, "staff"));
    const bob = (await staff.find({ name: "Bob" }))[0];
    assert.equal((bob.boss as RecordOf).name, "Ada");
  });
});

Deno.test("copyBase() refuses a destination that is, or is inside, the source's folder, or holds it, with a TypeError, writing nothing", async () => {
  await withTempDir(async (dir) => {
    const src = join(dir, "t1");
    {
      await using db = await new PsBase(src).create({ n: "int" });
      await db.insert({ n: 1 });
    }
    const before = snapshotTree(dir);
    const cases: Array<[string, string, RegExp]> = [
      [src, join(src, "sub"), /^Cannot copy .*t1 to .*t1\/sub: the destination is inside/],
      [src, join(src, "a", "b"), /the destination is inside the base's folder$/],
      [src, dir, /: the base is inside the destination's folder$/],
    ];
    for (const [from, to, message] of cases) {
      for (const mode of [undefined, "override"] as const) {
        await assert.rejects(
          () => copyBase(new PsBase(from), new PsBase(to), { mode }),
          (e: Error) => e instanceof TypeError && message.test(e.message),
          `${from} -> ${to} (${mode})`,
        );
        assert.deepEqual(snapshotTree(dir), before, `${from} -> ${to} (${mode}) wrote something`);
      }
    }
    // The same folder through two kinds of base is the base itself.
    await assert.rejects(
      () => copyBase(new Base(src), new PsBase(src), { mode: "override" }),
      /^TypeError: Cannot copy .*t1 onto itself$/,
    );
    assert.deepEqual(snapshotTree(dir), before);
    // A sibling whose name starts with the source's is apart.
    await copyBase(new PsBase(src), new PsBase(src + "x"));
    await using copy = await new PsBase(src + "x").open();
    assert.equal(await copy.count(), 1);
  });
});

Deno.test("copyBase() keeps a sparse base's ids and next id at the cost of its records, not of its ids: 3 records up to id 2^53 − 2 copy at once", async () => {
  await withTempDir(async (dir) => {
    const from = join(dir, "from");
    restoredBase(from, [[5, 2, "five"], [1e12, 0, "far"], [LAST_ID - 1, 7, "last but one"]]);
    // Bounded by the records: 2^53 ids one by one would never end.
    const r = await within(
      copyBase(new Base(from), new Base(join(dir, "to"))),
      30_000,
      "the copy going id by id",
    );
    assert.deepEqual(r, { records: 3, nextId: LAST_ID });
    await using to = await new Base(join(dir, "to")).open();
    assert.deepEqual((await to.find()).map((x) => [x.__id__, x.__version__, x.s]), [
      [5, 2, "five"],
      [1e12, 0, "far"],
      [LAST_ID - 1, 7, "last but one"],
    ]);
    assert.equal(await to.insert({ s: "next" }), LAST_ID);
    assert.equal((await to.check()).ok, true);
  });
});

const COPY_KILLS = 12;

Deno.test(`copyBase() with "override", its process killed with SIGKILL ${COPY_KILLS} times at random moments, leaves the destination folder whole: one source or the other, never missing, empty or a part`, async () => {
  await withTempDir(async (dir) => {
    const sources = { a: join(dir, "a"), b: join(dir, "b") };
    await makeSources(sources.a, sources.b);
    const dest = join(dir, "dest");
    await killCopies({
      engine: "ps",
      base: dest,
      sources,
      kills: COPY_KILLS,
      maxDelayMs: 150,
      dest: () => new PsBase(dest),
    });
  });
});
