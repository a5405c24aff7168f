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
  snapshotTree,
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

Deno.test("psbase import of CSV skips blank lines as it does in JSON Lines, except in a CSV of one column, where a blank line is a null, as dump writes it", async () => {
  await withTempDir(async (dir) => {
    const two = join(dir, "two");
    const r = await cli.run(
      [two, "import", "--format", "csv", "--schema", "s:string,i:int"],
      "\ns,i\nA,1\n\n\r\nB,2\n\n\n",
    );
    expectCode(r, 0, "import of CSV with blank lines");
    const dump = await cli.run([two, "dump", "--fields", "s,i"]);
    assert.equal(dump.out, '{"s":"A","i":1}\n{"s":"B","i":2}\n');
    const late = await cli.run(
      [join(dir, "late"), "import", "--format", "csv", "--schema", "s:string,i:int"],
      "s,i\nA,1\n\nB,x\n",
    );
    expectCode(late, 1, "import of a bad line after a blank one");
    assert.match(late.err, /: line 4, field "i": /, "line numbers count the blank lines");

    // One column: a null is a blank line, and it imports back as a record.
    const one = join(dir, "one");
    {
      await using db = await new PsBase(one).create({ name: "string" });
      await db.insertMany([{ name: "x" }, { name: null }, { name: "y" }, { name: null }]);
    }
    const csv = await cli.run([one, "dump", "--format", "csv", "--fields", "name"]);
    assert.equal(csv.out, "name\nx\n\ny\n\n");
    const back = join(dir, "back");
    const imported = await cli.run(
      [back, "import", "--format", "csv", "--schema", "name:string"],
      csv.out,
    );
    expectCode(imported, 0, "import of a one-column CSV dump");
    assert.equal(
      (await cli.run([back, "dump", "--format", "csv"])).out,
      (await cli.run([one, "dump", "--format", "csv"])).out,
    );
  });
});

Deno.test("psbase backup and copy refuse a destination that is, or is inside, the base's folder, or holds it: exit 2, one line, nothing written", async () => {
  await withTempDir(async (dir) => {
    const base = join(dir, "t1");
    {
      await using db = await new PsBase(base).create({ n: "int" });
      await db.insert({ n: 1 });
    }
    fs.rmSync(base + ".lock");
    const before = snapshotTree(dir);
    const cases: Array<[string[], RegExp]> = [
      [[base, "backup", join(base, "inside")], /: .*t1\/inside is inside the base's folder .*t1$/],
      [[base, "backup", join(base, "a", "b")], /is inside the base's folder/],
      [[base, "backup", base], /: .*t1 is the base itself$/],
      [[base, "backup", dir], /: the base .*t1 is inside /],
      [[base, "copy", join(base, "sub")], /: .*t1\/sub is inside the base's folder .*t1$/],
      [[base, "copy", join(base, "sub"), "--override"], /is inside the base's folder/],
      [[base, "copy", dir, "--override"], /: the base .*t1 is inside /],
      [[join(base, "sub"), "copy", base, "--override"], /: the base .*t1\/sub is inside .*t1$/],
    ];
    for (const [args, message] of cases) {
      const r = await cli.run(args);
      expectCode(r, 2, `psbase ${args.join(" ")}`);
      assert.equal(r.out, "");
      const lines = r.err.trimEnd().split("\n");
      assert.equal(lines.length, 1, r.err);
      assert.match(lines[0], /^Cannot run psbase (backup|copy): /);
      assert.match(lines[0], message);
      assert.deepEqual(snapshotTree(dir), before, `psbase ${args.join(" ")} wrote something`);
    }
  });
});

Deno.test('psbase copy and backup of one record say "1 record"', async () => {
  await withTempDir(async (dir) => {
    const base = join(dir, "t1");
    {
      await using db = await new PsBase(base).create({ n: "int" });
      await db.insert({ n: 1 });
    }
    const copied = await cli.run([base, "copy", join(dir, "t2")]);
    expectCode(copied, 0, "copy");
    assert.match(copied.out, /^copied 1 record from /);
    const backed = await cli.run([base, "backup", join(dir, "t3")]);
    expectCode(backed, 0, "backup");
    assert.match(backed.out, /: generation \d+, 1 record, /);
  });
});
