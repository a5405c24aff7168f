// Copyright 2026 the psbase authors. MIT license.
// PgBase: what is specific to a base stored as a PostgreSQL table (the API
// contract it shares with Base and PsBase is tests/_api_suite.ts): its
// options, the catalog it leaves, the integrity check, copyBase between a
// folder and a table, several bases on one table, the lock's timeout, a
// session lost mid-transaction.

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  Base,
  BaseChangedError,
  BaseExistsError,
  BaseNotFoundError,
  LockTimeoutError,
  PsBase,
  type RecordOf,
} from "../mod.ts";
import { copyBase, PgBase } from "../pg.ts";
import { Connection } from "../_pg/_client.ts";
import { lockSql } from "../_pg/_sql.ts";
import { baseInternals } from "../_table/_kind.ts";
import { restoredBase } from "./_helpers.ts";
import { withTempDir } from "./_harness/temp.ts";
import { within } from "./_harness/time.ts";
import { killCopies, makeSources } from "./_harness/scenarios/copy.ts";
import { denoCli, expectCode, writeSample } from "./_cli.ts";
import { pgMissing, withPg } from "./_pg_server.ts";

Deno.test("new PgBase() rejects a bad table name, unknown options and bad option values", () => {
  assert.throws(() => new PgBase(""), TypeError);
  assert.throws(() => new PgBase("9lives"), /table name/);
  assert.throws(() => new PgBase("my-table"), /table name/);
  assert.throws(() => new PgBase("x".repeat(64)), /table name/);
  assert.throws(() => new PgBase("psbase_meta"), /psbase_meta/);
  assert.throws(() => new PgBase("t", { sync: true } as never), /unknown option "sync"/);
  assert.throws(() => new PgBase("t", { url: 5 } as never), /url must be/);
  assert.throws(() => new PgBase("t", { timeoutMs: -1 }), RangeError);
  assert.equal(new PgBase("People_2").path, "People_2");
});

Deno.test("open() with no url and no DATABASE_URL fails with a TypeError saying so", async () => {
  const before = Deno.env.get("DATABASE_URL");
  Deno.env.delete("DATABASE_URL");
  try {
    await assert.rejects(() => new PgBase("t").open(), /DATABASE_URL/);
  } finally {
    if (before !== undefined) Deno.env.set("DATABASE_URL", before);
  }
});

Deno.test("deno doc --lint mod.ts pg.ts is clean, and pg.ts's public API names nothing internal", async () => {
  const deno = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: new URL("..", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, out: dec.decode(out.stdout) + dec.decode(out.stderr) };
  };
  const lint = await deno(["doc", "--lint", "mod.ts", "pg.ts"]);
  assert.equal(lint.code, 0, lint.out);
  const json = await deno(["doc", "--json", "pg.ts"]);
  assert.equal(json.code, 0, json.out);
  const doc = JSON.parse(json.out) as {
    nodes: { [file: string]: { symbols: Array<{ name: string }> } };
  };
  const symbols = Object.values(doc.nodes).flatMap((n) => n.symbols);
  assert.deepEqual(symbols.map((s) => s.name).sort(), [
    "CopyOptions",
    "CopyReport",
    "PgBase",
    "PgBaseOptions",
    "copyBase",
  ]);
  const text = JSON.stringify(symbols);
  for (const internal of ["_pg/", "Connection", "PgStore", "unlockForTests", "Storage"]) {
    assert.ok(!text.includes(internal), `the public API of pg.ts shows ${internal}`);
  }
});

const missing = await pgMissing();
if (missing) console.log(`PgBase tests skipped: ${missing}`);

Deno.test({
  name: "PgBase on a PostgreSQL 15 cluster of the test's own",
  ignore: missing !== undefined,
  async fn(t) {
    await withPg(async ({ url }) => {
      const sql = new Connection(url);
      try {
        await steps(t, url, sql);
      } finally {
        await sql.end();
      }
    });
  },
});

/** Kills of a copy into a table at random moments. */
const COPY_KILLS = 8;

async function steps(t: Deno.TestContext, url: string, sql: Connection): Promise<void> {
  const q = async (statement: string) =>
    Array.from((await sql.run([statement]))[0] ?? [], (row) => Array.from(row));

  await t.step(
    'the table is what the catalog shows: typed columns, COLLATE "C", __id__ the primary key, real hash and B-tree indexes, the schema in psbase_meta',
    async () => {
      await using db = await new PgBase("cat", { url }).create({
        s: { type: "string", index: true },
        i: { type: "int", index: true },
        f: "float",
        b: "bool",
        d: "date",
        t: "datetime",
      });
      await db.addField("early", "int", { after: "s", default: 7 });
      const cols = await q(
        `SELECT column_name, data_type, collation_name FROM information_schema.columns
       WHERE table_name = 'cat' ORDER BY ordinal_position`,
      );
      assert.deepEqual(cols, [
        ["__id__", "bigint", null],
        ["__version__", "bigint", null],
        ["s", "text", "C"],
        ["i", "double precision", null],
        ["f", "double precision", null],
        ["b", "boolean", null],
        ["d", "bigint", null],
        ["t", "bigint", null],
        ["early", "double precision", null], // PostgreSQL appends; psbase_meta keeps the order
      ]);
      assert.deepEqual(Object.keys(db.schema), ["s", "early", "i", "f", "b", "d", "t"]);
      const ix = await q(
        `SELECT am.amname, a.attname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
       JOIN pg_am am ON am.oid = c.relam JOIN pg_attribute a ON a.attrelid = x.indrelid
       AND a.attnum = x.indkey[0] WHERE x.indrelid = 'cat'::regclass ORDER BY a.attname`,
      );
      assert.deepEqual(ix, [["btree", "__id__"], ["btree", "i"], ["hash", "s"]]);
      const [[gen, next, fields]] = await q(
        "SELECT generation, next_id, fields FROM psbase_meta WHERE name = 'cat'",
      );
      assert.ok(Number(gen) > 1, "a schema change writes a new generation (its transaction id)");
      assert.equal(next, 1);
      assert.deepEqual(
        (fields as Array<{ name: string }>).map((f) => f.name),
        Object.keys(db.schema),
      );
    },
  );

  await t.step(
    "check() reports a missing index, a column of the wrong type, a value no insert could store and a damaged psbase_meta row, each naming the table",
    async () => {
      await using db = await new PgBase("chk", { url }).create({
        n: "int",
        d: "date",
        s: { type: "string", index: true },
      });
      await db.insertMany([{ n: 1, d: new Date(0), s: "a" }, { n: 2 }]);
      assert.deepEqual(await db.check(), { ok: true, problems: [], notes: [] });
      await q(`UPDATE chk SET n = 1.5 WHERE "__id__" = 1`);
      await q(`UPDATE chk SET d = 5 WHERE "__id__" = 2`);
      let report = await db.check();
      assert.equal(report.ok, false);
      assert.deepEqual(report.problems.map((p) => p.file), ["table chk", "table chk"]);
      assert.match(
        report.problems.map((p) => p.detail).join(" | "),
        /n are not int.*d are not date/,
      );
      await q(
        `DROP INDEX ${
          (await q(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'chk' AND indexname <> 'chk_pkey'",
          ))[0][0]
        }`,
      );
      await q(`ALTER TABLE chk ALTER COLUMN n TYPE int8 USING 0`);
      await q(`CREATE INDEX chk_extra ON chk (d)`);
      report = await db.check();
      assert.match(
        report.problems.map((p) => p.detail).join(" | "),
        /column n is bigint, not double precision/,
      );
      assert.match(report.problems.map((p) => p.detail).join(" | "), /hash index on s is missing/);
      assert.match(report.notes.map((p) => p.detail).join(" | "), /chk_extra is not psbase's/);
      await q(
        `UPDATE psbase_meta SET fields = '[{"name":"n","type":"blob","default":null}]' WHERE name = 'chk'`,
      );
      report = await db.check();
      assert.deepEqual(report.problems.map((p) => p.file), ["psbase_meta"]);
      assert.match(report.problems[0].detail, /unknown type "blob"/);
    },
  );

  await t.step(
    "copyBase() moves a PsBase folder into a PgBase and back: ids, versions, next id, deleted ids, defaults, indexes and links kept",
    async () => {
      await withTempDir(async (dir) => {
        const owners = await new PsBase(join(dir, "owners")).create({ name: "string" });
        const pets = await new PsBase(join(dir, "pets")).create({
          name: { type: "string", default: "?", index: true },
          age: { type: "int", default: -1 },
          owner: owners,
          born: "date",
        });
        const [bob, ann] = await owners.insertMany([{ name: "Bob" }, { name: "Ann" }]);
        await pets.insertMany(Array.from({ length: 400 }, (_, i) => ({
          name: `p${i}`,
          age: i % 20,
          owner: i % 3 ? bob : ann,
          born: new Date(Date.UTC(2000, 0, 1 + i)),
        })));
        await pets.delete([1, 2, 50, 399, 400]); // gaps, and the last ids gone
        for (const r of await pets.find({ age: [0, 4] })) {
          await pets.update(r, { age: r.age! + 100 });
        }
        await pets.update((await pets.get(3))!, { owner: 99 }); // a link to no record
        const wanted = await pets.select();
        await pets.close();

        const pgOwners = new PgBase("owners", { url });
        const pgPets = new PgBase("pets", { url });
        assert.deepEqual(await copyBase(owners, pgOwners), { records: 2, nextId: 3 });
        assert.deepEqual(await copyBase(new PsBase(join(dir, "pets")), pgPets), {
          records: 395,
          nextId: 401,
        });
        assert.equal(pgPets.isOpen, false, "a base copyBase opened is closed again");
        await pgPets.open();
        assert.deepEqual(await pgPets.select(), wanted);
        assert.deepEqual(pgPets.schema, {
          name: { type: "string", default: "?", index: "hash" },
          age: { type: "int", default: -1 },
          owner: { type: "link", default: null, base: "owners" },
          born: { type: "date", default: null },
        });
        assert.equal((await pgPets.get(3))!.owner, null);
        assert.equal((await pgPets.find({ owner: 99 })).length, 1, "the stored id is kept");
        assert.equal(await pgPets.insert({}), 401, "the next id comes along");
        assert.equal((await pgPets.check()).ok, true);
        await assert.rejects(
          () => copyBase(owners, new PgBase("owners", { url })),
          BaseExistsError,
        );

        // And back, into folders beside each other.
        const back = new Base(join(dir, "back", "pets"));
        await copyBase(pgOwners, new Base(join(dir, "back", "owners")));
        assert.deepEqual(await copyBase(pgPets, back), { records: 396, nextId: 402 });
        assert.equal(pgPets.isOpen, true, "an open base stays open");
        await back.open();
        const again = await back.select();
        assert.deepEqual([...again.slice(0, -1)], [...wanted]);
        assert.equal(back.schema.owner.base, join(dir, "back", "owners"));
        assert.deepEqual(
          (await back.find({ name: "p5" }))[0].owner,
          (await back.find({ name: "p4" }))[0].owner,
        );
        assert.equal(((await back.find({ name: "p5" }))[0].owner as RecordOf).name, "Bob");
        assert.equal(await back.insert({}), 402);
        assert.equal((await back.check()).ok, true);
        await back.close();
        await (new Base(join(dir, "back", "owners"))).close();
        await pgPets.close();
        await pgOwners.close();
        await owners.close();
      });
    },
  );

  /** A folder base of strings, record `bad` holding U+0000 (which PostgreSQL's text cannot). */
  const withNul = async (path: string, bad: number) => {
    await using db = await new PsBase(path).create({ s: "string" });
    await db.insertMany([1, 2, 3, 4].map((i) => ({ s: i === bad ? "a\0b" : `s${i}` })));
    return path;
  };
  const tableLeft = async (name: string) => [
    (await q(`SELECT to_regclass('${name}') IS NOT NULL`))[0][0],
    (await q(`SELECT count(*)::int FROM psbase_meta WHERE name = '${name}'`))[0][0],
  ];

  await t.step(
    'a handle open on a table that another handle replaced (destroy and create, or "override") writes with the new schema, not its old one',
    async () => {
      const a = await new PgBase("swapped", { url }).create({ a: "int" });
      await a.insert({ a: 1 });
      const b = await new PgBase("swapped", { url }).create(
        { a: "string", tag: { type: "string", default: "new" } },
        { mode: "override" },
      );
      await assert.rejects(a.insert({ a: 42 } as never), /field "a"/);
      const id = await a.insert({ a: "x" } as never);
      assert.deepEqual(Object.keys(a.schema), ["a", "tag"]);
      assert.deepEqual({ ...(await b.get(id))! }, {
        __id__: id,
        __version__: 0,
        a: "x",
        tag: "new",
      });
      await b.destroy();
      await (await new PgBase("swapped", { url }).create({ z: "bool" })).close();
      await assert.rejects(a.insert({ a: "y" } as never), /unknown field "a"/);
      await a.close();
    },
  );

  await t.step(
    'timeoutMs bounds destroy() and create("override") waiting for another writer, and a write waiting behind the same handle\'s own transaction: LockTimeoutError, nothing changed',
    async () => {
      const holder = await new PgBase("held", { url }).create({ n: "int" });
      await holder.insert({ n: 1 });
      let release!: () => void;
      const holding = holder.transaction(async (tx) => {
        await tx.insert({ n: 2 });
        await new Promise<void>((r) => release = r);
      });
      await new Promise((r) => setTimeout(r, 100));
      const other = await new PgBase("held", { url, timeoutMs: 150 }).open();
      await assert.rejects(other.destroy(), LockTimeoutError);
      await assert.rejects(
        new PgBase("held", { url, timeoutMs: 150 }).create({ z: "int" }, { mode: "override" }),
        LockTimeoutError,
      );
      release();
      await holding;
      // The same handle: its own transaction holds the writes of this process (L2).
      const own = await new PgBase("held", { url, timeoutMs: 150 }).open();
      let end!: () => void;
      const long = own.transaction(() => new Promise<void>((r) => end = r));
      const t0 = performance.now();
      await assert.rejects(own.insert({ n: 3 }), LockTimeoutError);
      assert.ok(performance.now() - t0 < 1000);
      end();
      await long;
      assert.deepEqual((await other.find()).map((r) => r.n), [1, 2]);
      await own.close();
      await other.close();
      await holder.close();
    },
  );

  await t.step(
    "timeoutMs bounds create() of a new table queued behind a create() that waits for its table's lock: LockTimeoutError, no table made",
    async () => {
      // Another session (a destroy() in progress, say) holds the lock of table "busy".
      const other = new Connection(url);
      other.hold(); // its session stays open between calls
      try {
        await other.run(["BEGIN", lockSql("busy")]);
        // Waits for that lock, no timeout, holding the lock of psbase_meta's makers meanwhile.
        const waiting = new PgBase("busy", { url }).create({ n: "int" });
        await new Promise((r) => setTimeout(r, 100));
        await assert.rejects(
          within(
            new PgBase("queued", { url, timeoutMs: 150 }).create({ n: "int" }),
            3000,
            "create() of queued waited past its timeoutMs",
          ),
          (e) => e instanceof LockTimeoutError && e.path === "queued",
        );
        await other.run(["ROLLBACK"]);
        await (await waiting).close();
        await assert.rejects(new PgBase("queued", { url }).open(), BaseNotFoundError);
      } finally {
        await other.end();
      }
    },
  );

  await t.step(
    "what PostgreSQL cannot hold is refused before it is sent, naming the field, nothing written: a string over 2,600 bytes in a sorted index (insert, update, inside a transaction that goes on, addIndex), U+0000 in a default",
    async () => {
      const long = "x".repeat(2601);
      const db = await new PgBase("limits", { url }).create({
        s: { type: "string", index: "sorted" },
        t: "string",
      });
      // Random text PostgreSQL cannot compress under the B-tree's limit.
      const noise = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(4000))));
      const ok = await db.insert({ s: "x".repeat(2600), t: noise });
      await assert.rejects(
        db.insert({ s: long }),
        (e) =>
          e instanceof RangeError &&
          /^Cannot insert: field "s" holds a string of 2601 bytes/.test(e.message),
      );
      await assert.rejects(db.update((await db.get(ok))!, { s: long }), RangeError);
      await db.transaction(async (tx) => {
        await assert.rejects(tx.insert({ s: long }), RangeError);
        await tx.insert({ s: "after" }); // the transaction goes on
      });
      await assert.rejects(
        db.addIndex("t", { kind: "sorted" }),
        (e) => e instanceof RangeError && /"t"/.test(e.message),
      );
      await assert.rejects(
        db.setDefault("t", "a\u0000b"),
        (e) =>
          e instanceof TypeError &&
          /^Cannot setDefault: the default of field "t" holds U\+0000/.test(e.message),
      );
      await assert.rejects(
        new PgBase("limits2", { url }).create({ s: { type: "string", default: "a\u0000" } }),
        (e) =>
          e instanceof TypeError &&
          /^Cannot create: the default of field "s" holds U\+0000/.test(e.message),
      );
      assert.deepEqual((await db.find()).map((r) => r.s?.length), [2600, 5]);
      assert.equal(db.schema.t.index, undefined);
      await db.destroy();
    },
  );

  await t.step(
    'create() and copyBase() with "override" and a field name PostgreSQL refuses fail before the base they would replace is touched',
    async () => {
      await withTempDir(async (dir) => {
        const long = "f".repeat(64);
        const old = await new PgBase("replaced", { url }).create({ name: "string" });
        await old.insert({ name: "kept" });
        await old.close();
        await assert.rejects(
          new PgBase("replaced", { url }).create({ [long]: "string" }, { mode: "override" }),
          /over 63 characters/,
        );
        const src = await new PsBase(join(dir, "long")).create({ [long]: "string" });
        await src.close();
        await assert.rejects(
          copyBase(new PsBase(join(dir, "long")), new PgBase("replaced", { url }), {
            mode: "override",
          }),
          /over 63 characters/,
        );
        await using again = await new PgBase("replaced", { url }).open();
        assert.deepEqual((await again.find()).map((r) => r.name), ["kept"]);
      });
    },
  );

  await t.step(
    "copyBase() of a sparse base (3 records, ids up to 10^12) into a table and back keeps ids, versions and the next id, at the cost of its records",
    async () => {
      await withTempDir(async (dir) => {
        const from = join(dir, "sparse");
        restoredBase(from, [[5, 2, "five"], [7e11, 0, "far"], [1e12, 3, "farther"]]);
        const table = new PgBase("sparse", { url });
        assert.deepEqual(await copyBase(new Base(from), table), { records: 3, nextId: 1e12 + 1 });
        const back = new Base(join(dir, "back"));
        assert.deepEqual(await copyBase(table, back), { records: 3, nextId: 1e12 + 1 });
        for (const b of [table, back]) {
          await b.open();
          assert.deepEqual((await b.find()).map((x) => [x.__id__, x.__version__, x.s]), [
            [5, 2, "five"],
            [7e11, 0, "far"],
            [1e12, 3, "farther"],
          ]);
          assert.equal(await b.insert({ s: "next" }), 1e12 + 1);
          await b.destroy();
        }
      });
    },
  );

  await t.step(
    "copyBase() into a table that fails on a record (U+0000) names its __id__ and leaves no table and no psbase_meta row: a rerun succeeds",
    async () => {
      await withTempDir(async (dir) => {
        const path = await withNul(join(dir, "copy_nul"), 3);
        await assert.rejects(
          () => copyBase(new PsBase(path), new PgBase("copy_nul", { url })),
          (e: Error) =>
            e instanceof TypeError &&
            /^Cannot copy .*\/copy_nul into copy_nul \(record 3\): field "s" holds U\+0000, which PostgreSQL's text cannot store \(a PgBase difference\)$/
              .test(e.message),
        );
        assert.deepEqual(
          await tableLeft("copy_nul"),
          [false, 0],
          "the table and its row are removed",
        );
        {
          await using db = await new PsBase(path).open();
          await db.update((await db.get(3))!, { s: "fixed" });
        }
        assert.deepEqual(await copyBase(new PsBase(path), new PgBase("copy_nul", { url })), {
          records: 4,
          nextId: 5,
        });
        await using copy = await new PgBase("copy_nul", { url }).open();
        assert.deepEqual((await copy.get(3))!, { __id__: 3, __version__: 1, s: "fixed" });
        await copy.destroy();
      });
    },
  );

  await t.step(
    'copyBase() with mode "override" that fails puts back the table it replaced: records, versions, deleted ids, next id, schema and indexes',
    async () => {
      await withTempDir(async (dir) => {
        {
          await using old = await new PgBase("copy_kept", { url }).create({
            s: { type: "string", index: true },
            n: { type: "int", default: 7 },
          });
          await old.insertMany([{ s: "a" }, { s: "b", n: 2 }, { s: "c" }, { s: "gone" }]);
          await old.update((await old.get(2))!, { n: 3 });
          await old.delete([1, 4]);
        }
        const before = await (async () => {
          await using old = await new PgBase("copy_kept", { url }).open();
          return { rows: [...await old.select()], schema: old.schema };
        })();
        const path = await withNul(join(dir, "copy_kept"), 2);
        await assert.rejects(
          () => copyBase(new PsBase(path), new PgBase("copy_kept", { url }), { mode: "override" }),
          /\(record 2\): field "s" holds U\+0000/,
        );
        await using kept = await new PgBase("copy_kept", { url }).open();
        assert.deepEqual([...await kept.select()], before.rows);
        assert.deepEqual(kept.schema, before.schema);
        assert.equal(await kept.insert({ s: "next" }), 5, "the next id is the old one");
        assert.equal((await kept.check()).ok, true);
        await kept.destroy();
      });
    },
  );

  await t.step(
    "two PgBases on one table see each other's inserts, cleanup, schema changes and defaults",
    async () => {
      await using a = await new PgBase("two", { url }).create({ name: "string", n: "int" });
      await using b = await new PgBase("two", { url }).open();
      await a.insert({ name: "x" });
      assert.equal(await b.count(), 1);
      const id = await b.insert({ name: "y" });
      assert.equal(id, 2);
      assert.equal((await a.get(id))!.name, "y");
      await b.delete(1);
      await b.cleanup();
      assert.equal(await a.count(), 1);
      await b.addField("tag", "string", { after: "name", default: "t" });
      await b.setDefault("n", 5);
      const nid = await a.insert({ name: "z" });
      assert.deepEqual(await a.get(nid), { __id__: 3, __version__: 0, name: "z", tag: "t", n: 5 });
      assert.deepEqual(Object.keys(a.schema), ["name", "tag", "n"]);
      await a.dropField("tag" as never);
      const [r] = await b.find({ name: "y" });
      assert.ok(!("tag" in r));
      await assert.rejects(() => b.update(r, { tag: "no" } as never), /unknown field "tag"/);
    },
  );

  await t.step(
    "a write waiting past timeoutMs throws LockTimeoutError and writes nothing, while reads go on",
    async () => {
      await using a = await new PgBase("wait", { url }).create({ n: "int" });
      await using b = await new PgBase("wait", { url, timeoutMs: 100 }).open();
      const id = await a.insert({ n: 1 });
      let release!: () => void;
      const held = new Promise<void>((r) => release = r);
      let entered!: () => void;
      const inside = new Promise<void>((r) => entered = r);
      const tx = a.transaction(async (tx) => {
        await tx.update((await tx.get(id))!, { n: 2 });
        entered();
        await held;
      });
      await inside;
      await assert.rejects(
        () => b.insert({ n: 9 }),
        (e) => e instanceof LockTimeoutError && e.path === "wait" && e.timeoutMs === 100,
      );
      assert.equal((await b.get(id))!.n, 1, "a reader sees committed state");
      const now = await new PgBase("wait", { url, timeoutMs: 0 }).open();
      await assert.rejects(() => now.insert({ n: 9 }), LockTimeoutError);
      await now.close();
      release();
      await tx;
      assert.equal((await b.get(id))!.n, 2);
      assert.equal(await b.count(), 1);
      assert.equal(await b.insert({ n: 3 }), 2);
    },
  );

  await t.step(
    "create({ mode: 'open' }) by ten bases at once: one makes the table, all open it",
    async () => {
      const bases = Array.from({ length: 10 }, () => new PgBase("many", { url }));
      await Promise.all(bases.map((b) => b.create({ n: "int" }, { mode: "open" })));
      await bases[3].insert({ n: 1 });
      for (const b of bases) assert.equal(await b.count(), 1);
      await Promise.all(bases.map((b) => b.close()));
    },
  );

  await t.step(
    "a string PostgreSQL cannot store (U+0000) is refused with a TypeError naming the call and the field, and nothing is written: inside a transaction that catches it, no row of that insertMany stays",
    async () => {
      await using db = await new PgBase("nul", { url }).create({ s: "string" });
      await assert.rejects(
        () => db.insertMany([{ s: "ok" }, { s: "a\0b" }]),
        (e) =>
          e instanceof TypeError &&
          e.message === 'Cannot insertMany (row 1): field "s" holds U+0000, which ' +
              "PostgreSQL's text cannot store (a PgBase difference)",
      );
      assert.equal(await db.count(), 0);
      assert.equal(await db.count({ s: "a\0b" }), 0);
      assert.equal(await db.insert({ s: "ok" }), 1);
      await assert.rejects(
        db.update((await db.get(1))!, { s: "\0" }),
        (e) => e instanceof TypeError && /^Cannot update: field "s" holds U\+0000/.test(e.message),
      );
      assert.deepEqual((await db.get(1))?.s, "ok");
      // All or none inside a transaction too: a caller that catches the refusal keeps no row of it.
      await db.transaction(async (tx) => {
        await assert.rejects(tx.insertMany([{ s: "a" }, { s: "b\0" }]), TypeError);
        await tx.insert({ s: "after" });
      });
      assert.deepEqual((await db.find()).map((r) => r.s).sort(), ["after", "ok"]);
    },
  );

  await t.step(
    "a session lost mid-transaction: the transaction fails, and nothing of it is written, not even what follows on a new session",
    async () => {
      await using db = await new PgBase("lost", { url }).create({ n: "int" });
      const id = await db.insert({ n: 0 });
      await assert.rejects(
        () =>
          db.transaction(async (tx) => {
            await tx.update((await tx.get(id))!, { n: 1 });
            await q(
              `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name = 'psbase' AND state LIKE 'idle in transaction%'`,
            );
            await tx.delete(id).catch(() => {}); // the session is gone
            await tx.insert({ n: 2 }); // would go on a new session, outside the transaction
            await tx.count();
          }),
      );
      assert.deepEqual((await db.select()).map((r: RecordOf) => [r.__id__, r.n]), [[id, 0]]);
      assert.equal(await db.insert({ n: 3 }), 2);
    },
  );

  await t.step(
    "a table destroyed by another base: the next call fails with BaseChangedError",
    async () => {
      const a = await new PgBase("gone", { url }).create({ n: "int" });
      const b = await new PgBase("gone", { url }).open();
      await b.destroy();
      await assert.rejects(
        () => a.count(),
        (e) => e instanceof BaseChangedError && e.how === "destroyed",
      );
      await assert.rejects(() => a.insert({ n: 1 }), BaseChangedError);
      await a.close();
    },
  );

  await t.step(
    "create() refuses a table of that name that is not psbase's, and leaves it alone",
    async () => {
      await q("CREATE TABLE foreign_t (x int)");
      await q("INSERT INTO foreign_t VALUES (1)");
      await assert.rejects(
        () => new PgBase("foreign_t", { url }).create({ n: "int" }),
        /not a psbase base/,
      );
      await assert.rejects(
        () => new PgBase("foreign_t", { url }).create({ n: "int" }, { mode: "override" }),
        /not a psbase base/,
      );
      assert.deepEqual(await q("SELECT x FROM foreign_t"), [[1]]);
    },
  );

  await t.step(
    "a field name over 63 characters (PostgreSQL's limit) is refused by create() and addField()",
    async () => {
      const long = "f" + "x".repeat(63);
      await assert.rejects(() => new PgBase("longname", { url }).create({ [long]: "int" }), /63/);
      await using db = await new PgBase("longname", { url }).create({ a: "int" });
      await assert.rejects(() => db.addField(long, "int"), /63/);
      assert.deepEqual(Object.keys(db.schema), ["a"]);
    },
  );

  await t.step(
    "the README's example of moving to PostgreSQL runs as written: a folder copied into a table, then a transaction on it",
    async () => {
      const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
      const section = /^## When you outgrow one machine\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
      const example = /```ts ignore\n([\s\S]*?)^```$/m.exec(section ?? "")?.[1];
      assert.ok(example, "README's section has a ```ts ignore block");
      await withTempDir(async (dir) => {
        {
          await using ps = await new PsBase(join(dir, "data", "people")).create({
            name: "string",
            age: { type: "int", default: 0 },
            born: "date",
          });
          await ps.insertMany([{ name: "Bo", age: 9 }, { name: "Ada", age: 36 }]);
        }
        const root = new URL("..", import.meta.url);
        const file = join(dir, "example.ts");
        await Deno.writeTextFile(
          file,
          example
            .replaceAll('"./mod.ts"', JSON.stringify(new URL("mod.ts", root).href))
            .replaceAll('"./pg.ts"', JSON.stringify(new URL("pg.ts", root).href))
            .replace(/"postgres:\/\/app:secret@[^"]*"/, JSON.stringify(url)),
        );
        const out = await new Deno.Command(Deno.execPath(), {
          // The repo's config: its import map names the client (`postgres`), as a user's would.
          args: ["run", "--allow-all", "--config", new URL("deno.json", root).pathname, file],
          cwd: dir,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const dec = new TextDecoder();
        assert.equal(out.code, 0, dec.decode(out.stdout) + dec.decode(out.stderr));
      });
      await using db = await new PgBase("people", { url }).open();
      assert.deepEqual((await db.select(["name", "age"])).map((r) => [r.__id__, r.name, r.age]), [
        [1, "Bo", 9],
        [2, "Ada", 37],
      ]);
    },
  );

  await t.step(
    'strings above U+FFFF sort after U+E000-U+FFFF (code point order, COLLATE "C"): the one ordering difference from a folder, as the README says',
    async () => {
      await using db = await new PgBase("astral", { url }).create({ w: "string" });
      const words = ["\u{1F600}", "\uFFFD", "\uE000", "\uD7FF", "z"];
      await db.insertMany(words.map((w) => ({ w })));
      const got = (await db.find({}, { orderBy: "+w" })).map((r) => r.w);
      assert.deepEqual(got, ["z", "\uD7FF", "\uE000", "\uFFFD", "\u{1F600}"]);
      // JavaScript (and a folder) order by UTF-16 code unit: the surrogate pair first.
      assert.deepEqual([...words].sort(), ["z", "\uD7FF", "\u{1F600}", "\uE000", "\uFFFD"]);
      assert.deepEqual(
        (await db.find({ w: ["\uE000", null] })).map((r) => r.w).sort(),
        [
          "\u{1F600}",
          "\uE000",
          "\uFFFD",
        ].sort(),
      );
    },
  );

  await t.step(
    `copyBase() with "override" into a table, its process killed with SIGKILL ${COPY_KILLS} times at random moments, leaves the table whole: one source or the other, never missing, empty or a part`,
    async () => {
      await withTempDir(async (dir) => {
        const sources = { a: join(dir, "a"), b: join(dir, "b") };
        await makeSources(sources.a, sources.b);
        const before = Deno.env.get("DATABASE_URL");
        Deno.env.set("DATABASE_URL", url); // the children's database
        try {
          await killCopies({
            engine: "pg",
            base: "pg:copy_dest",
            sources,
            kills: COPY_KILLS,
            maxDelayMs: 300,
            dest: () => new PgBase("copy_dest", { url }),
          });
        } finally {
          if (before === undefined) Deno.env.delete("DATABASE_URL");
          else Deno.env.set("DATABASE_URL", before);
        }
      });
    },
  );

  await t.step(
    'copyBase() with "override" onto a table refuses a default PostgreSQL cannot hold, naming the field, and leaves the table as it was',
    async () => {
      await withTempDir(async (dir) => {
        const folder = join(dir, "dflt");
        {
          await using db = await new Base(folder).create({
            s: { type: "string", default: "a\0b" },
          });
          await db.insert({});
        }
        {
          await using table = await new PgBase("dflt_t", { url }).create({ n: "int" });
          await table.insert({ n: 7 });
        }
        await assert.rejects(
          copyBase(new Base(folder), new PgBase("dflt_t", { url }), { mode: "override" }),
          (e) =>
            e instanceof TypeError &&
            /^Cannot copy .*dflt into dflt_t: the default of field "s" holds U\+0000/.test(
              e.message,
            ),
        );
        await using table = await new PgBase("dflt_t", { url }).open();
        assert.deepEqual((await table.select()).map((r) => r.n), [7]);
      });
    },
  );

  await t.step(
    "a read that another handle's schema change overtakes (after its refresh, before its query) reads again on the new schema: not PostgreSQL's 42703, not values under the old schema's types",
    async () => {
      await using a = await new PgBase("moved", { url }).create({ s: "string", b: "int" });
      await a.insertMany([{ s: "x", b: 1 }, { s: "y", b: 2 }]);
      await using other = await new PgBase("moved", { url }).open();
      const all = (fields: readonly unknown[]) => [1, ...fields.map((_, j) => j + 2)];
      for (const overtake of ["drop", "retype"]) {
        let calls = 0;
        const rows = await baseInternals().read(a, async (s) => {
          // The first time, after the refresh: "b" is dropped (the query names a column that is
          // gone), or made again as a string (the column is there, of another type).
          if (++calls === 1) {
            if ("b" in other.schema) await other.dropField("b");
            if (overtake === "retype") await other.addField("b", "string", { default: "new" });
          }
          const q = { conds: [], want: all(s.fields), order: [], offset: 0 };
          return { fields: s.fields.map((f) => `${f.name}:${f.type}`), rows: await s.select(q) };
        });
        assert.equal(calls, 2, `${overtake}: read again`);
        assert.deepEqual(
          rows.fields,
          overtake === "drop" ? ["s:string"] : ["s:string", "b:string"],
        );
        assert.deepEqual(
          rows.rows.map((r) => r.slice(2)),
          overtake === "drop" ? [["x"], ["y"]] : [["x", "new"], ["y", "new"]],
        );
      }
    },
  );

  await t.step("a PgBase links only to PgBases", async () => {
    await withTempDir(async (dir) => {
      const file = new Base(join(dir, "f"));
      await assert.rejects(
        () => new PgBase("linker", { url }).create({ other: file }),
        /links only to another PgBase/,
      );
    });
  });
}

const pgSkipCopy = await pgMissing();

Deno.test({
  name:
    "psbase copy moves a base into a PostgreSQL table and back: the dump is byte-for-byte the same, ids, versions and the next id kept",
  ignore: pgSkipCopy !== undefined,
  fn: async () => {
    await withTempDir(async (dir) => {
      await withPg(async ({ url }) => {
        const pets = await writeSample(dir);
        await new PsBase(join(dir, "owners")).open().then(async (o) => {
          await copyBase(o, new PgBase("owners", { url }));
          await o.close();
        });
        const cli = denoCli(["--allow-all"]);
        const before = await cli.run([pets, "dump"]);
        expectCode(before, 0, "dump");
        const there = await cli.run([pets, "copy", "pg:pets", "--url", url]);
        expectCode(there, 0, "copy to PostgreSQL");
        assert.match(there.out, /^copied \d+ records from .* to pets \(next id \d+\)/);
        const back = join(dir, "again", "pets");
        Deno.mkdirSync(join(dir, "again"));
        const returned = await cli.run(["pg:pets", "copy", back, "--url", url]);
        expectCode(returned, 0, "copy back");
        const after = await cli.run([back, "dump"]);
        expectCode(after, 0, "dump of the copy");
        assert.equal(after.out, before.out, "the records changed on the way");
        await using a = await new PsBase(pets).open();
        await using b = await new PsBase(back).open();
        assert.equal(await b.insert({ name: "next" }), await a.insert({ name: "next" }));
        const again = await cli.run([pets, "copy", "pg:pets", "--url", url]);
        expectCode(again, 1, "copy onto an existing table without --override");
        assert.match(again.err, /exists/);
      });
    });
  },
});
