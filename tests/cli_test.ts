// Copyright 2026 the psbase authors. MIT license.
// Issue 13: the `psbase` command, run as `deno run cli.ts` in subprocesses.
// The scenarios in tests/_cli.ts run here and, against the installed npm
// package's bin in Node, in tests/npm_test.ts; the rest is Deno-only:
// reading commands work with read permission alone and create nothing,
// info sees the write lock, cleanup compacts under it, import shows progress.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { PsBase, PsLock } from "../mod.ts";
import {
  backupWhileWritingScenario,
  checkDamageScenario,
  denoCli,
  expectCode,
  importBadLineScenario,
  roundTripScenario,
  usageScenario,
  writeSample,
} from "./_cli.ts";
import { snapshotFiles } from "./_helpers.ts";
import { withTempDir } from "./_harness/temp.ts";

const cli = denoCli();

Deno.test("psbase dump → import → dump gives byte-for-byte the same records: nulls, dates, unicode (BOM, astral), links, ids and versions; JSON Lines and CSV", async () => {
  await withTempDir((dir) => roundTripScenario(cli, dir));
});

Deno.test("psbase check exits 1 on a damaged data file, log and manifest, naming each, and writes nothing", async () => {
  await withTempDir((dir) => checkDamageScenario(cli, dir));
});

Deno.test("psbase import of input with a bad line changes nothing: the base's folder stays byte-identical", async () => {
  await withTempDir((dir) => importBadLineScenario(cli, dir));
});

Deno.test("psbase --help on every command exits 0; unknown options and bad arguments print one line and exit 2", async () => {
  await withTempDir((dir) => usageScenario(cli, dir));
});

Deno.test("psbase backup taken while 20 writer processes commit opens, passes check and holds exactly the commits up to some point, every acknowledged one included", async () => {
  await withTempDir(async (dir) => {
    const { ks, total, outputs } = await backupWhileWritingScenario(cli, dir);
    console.log(`  backups hold the first ${ks.join(", ")} of ${total} commits`);
    for (const o of outputs) console.log(`  ${o}`);
  });
});

Deno.test("psbase info, check, dump and backup need only read permission on the base and create no file in it or beside it", async () => {
  await withTempDir(async (dir) => {
    const pets = await writeSample(dir);
    fs.rmSync(pets + ".lock");
    const before = snapshotFiles(pets);
    const out = join(dir, "out");
    fs.mkdirSync(out);
    const reader = denoCli(["--allow-read"]);
    expectCode(await reader.run([pets, "info"]), 0, "info, read permission only");
    expectCode(await reader.run([pets, "check"]), 0, "check, read permission only");
    const dump = await reader.run([pets, "dump", "n=0..", "--fields", "name"]);
    expectCode(dump, 0, "dump, read permission only");
    assert.equal(dump.out.trimEnd().split("\n").length, 5);
    const backup = denoCli(["--allow-read", `--allow-write=${out}`]);
    expectCode(await backup.run([pets, "backup", join(out, "copy")]), 0, "backup");
    assert.deepEqual(fs.readdirSync(out), ["copy"], "no temp folder is left");
    assert.deepEqual(snapshotFiles(pets), before);
    assert.ok(!fs.existsSync(pets + ".lock"), "no lock file was created");
    // Without read permission, they fail cleanly (exit 1, one line).
    const none = await denoCli([]).run([pets, "info"]);
    expectCode(none, 1, "info without permission");
    assert.equal(none.err.trimEnd().split("\n").length, 1, none.err);
  });
});

Deno.test("psbase info tells whether a process holds the write lock, and cleanup waits for it (--timeout)", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "b");
    {
      await using db = await new PsBase(path).create({ name: "string" });
      await db.insertMany([{ name: "a" }, { name: "b" }, { name: "c" }]);
      await db.delete(2);
    }
    const free = await cli.run([path, "info", "--json"]);
    expectCode(free, 0, "info");
    const facts = JSON.parse(free.out);
    assert.equal(facts.writeLock, false);
    assert.equal(facts.records, 2);
    assert.deepEqual(facts.schema, { name: { type: "string", default: null } });
    assert.match((await cli.run([path, "info"])).out, /^write lock {2}free$/m);

    const held = await new PsLock(path + ".lock").acquire();
    try {
      assert.equal(JSON.parse((await cli.run([path, "info", "--json"])).out).writeLock, true);
      assert.match((await cli.run([path, "info"])).out, /^write lock {2}held by a process now$/m);
      const blocked = await cli.run([path, "cleanup", "--timeout", "50"]);
      expectCode(blocked, 1, "cleanup while the lock is held");
      assert.match(
        blocked.err,
        /^psbase cleanup: Cannot take the lock on .*timed out after 50 ms\n$/,
      );
    } finally {
      held.release();
    }
    const gen = facts.generation;
    const cleaned = await cli.run([path, "cleanup"]);
    expectCode(cleaned, 0, "cleanup");
    assert.match(cleaned.out, new RegExp(`generation ${gen} -> ${gen + 1}, 2 records`));
    const after = JSON.parse((await cli.run([path, "info", "--json"])).out);
    assert.equal(after.generation, gen + 1);
    assert.equal(after.logBytes, 0);
    assert.deepEqual(Object.keys(after.files), [
      `data.${gen + 1}`,
      `log.${gen + 1}`,
      "manifest.json",
    ]);
    const dump = await cli.run([path, "dump", "--fields", "__id__,name"]);
    assert.equal(dump.out, '{"__id__":1,"name":"a"}\n{"__id__":3,"name":"c"}\n');
  });
});

Deno.test("psbase dump where arguments: equality, open and closed ranges, null, the empty string, ..", async () => {
  await withTempDir(async (dir) => {
    const pets = await writeSample(dir);
    const ids = async (...where: string[]) => {
      const r = await cli.run([pets, "dump", "--fields", "__id__", ...where]);
      expectCode(r, 0, where.join(" "));
      return r.out.trimEnd().split("\n").filter(Boolean).map((l) => JSON.parse(l).__id__);
    };
    assert.deepEqual(await ids("name=Ada"), [1]);
    assert.deepEqual(await ids("name="), [4], "an empty value matches null");
    assert.deepEqual(await ids('name=""'), [3], '"" matches the empty string');
    assert.deepEqual(await ids("name=null"), [7], "null is a string like any other");
    assert.deepEqual(await ids("n=7.."), [1, 4, 6, 8]);
    assert.deepEqual(await ids("n=..0"), [2, 7]);
    assert.deepEqual(await ids("n=0..36", "ok=false"), [7]);
    assert.deepEqual(await ids("day=1970-01-01..2024-12-31"), [2, 7]);
    assert.deepEqual(await ids("at=2024-05-01T12:34:56.789Z"), [1]);
    assert.deepEqual(await ids("owner=99"), [6], "a link compares its stored id");
    assert.deepEqual(await ids("x=.."), [1, 2, 6, 7, 8], "an open range: every non-null");
    assert.deepEqual(
      await ids(`name==a "quoted", comma\nnew line\r\nCRLF, tab\t and 1..2`),
      [6],
      "== reads .. as part of the value",
    );
    const csv = await cli.run([pets, "dump", "--format", "csv", "--fields", "name,n", "n=36"]);
    assert.equal(csv.out, "name,n\nAda,36\n");
  });
});

Deno.test("psbase import shows progress on stderr for long inputs (plain lines when not a terminal), none with --quiet", async () => {
  await withTempDir(async (dir) => {
    const lines = Array.from({ length: 12_000 }, (_, i) => JSON.stringify({ k: i })).join("\n");
    const r = await cli.run([join(dir, "big"), "import", "--schema", "k:int"], lines);
    expectCode(r, 0, "import of 12000 lines");
    assert.equal(
      r.out,
      `imported 12000 records into ${join(dir, "big")} (new ids), generation 2\n`,
    );
    assert.deepEqual(r.err.trimEnd().split("\n"), [
      "import: 25% (3000 of 12000 lines)",
      "import: 50% (6000 of 12000 lines)",
      "import: 75% (9000 of 12000 lines)",
      "import: 100% (12000 of 12000 lines)",
      "import: writing 12000 records",
    ]);
    const quiet = await cli.run(
      [join(dir, "big2"), "import", "--schema", "k:int", "--quiet"],
      lines,
    );
    expectCode(quiet, 0, "import --quiet");
    assert.equal(quiet.err, "");
    const small = await cli.run([join(dir, "small"), "import", "--schema", "k:int"], '{"k":1}');
    assert.equal(small.err, "", "a short import shows no progress");
  });
});
