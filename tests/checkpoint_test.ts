// Copyright 2026 the psbase authors. MIT license.
// A checkpoint carries the rows the log did not touch over from the data file
// as bytes (_file/_carry.ts). The guarantee: the data file it writes is byte
// for byte the one that decoding every live row and encoding it again writes
// (FORMAT.md, F3, F4, F7), for every field type, nulls, page boundaries,
// updates, deletes and inserts, with and without indexes.

import assert from "node:assert/strict";
import { join } from "node:path";
import type { Field, Row, Stored } from "../_field/_codec.ts";
import { carriedRows } from "../_file/_carry.ts";
import { DataFile, writeDataFile } from "../_file/_data_file.ts";
import { denoFs } from "../_file/_fs_deno.ts";
import type { IndexSpec } from "../_storage/_types.ts";
import { rng } from "../scripts/_rng.ts";
import { Base, CorruptionError } from "../mod.ts";
import { withTempDir } from "./_harness/temp.ts";

const TYPES = ["string", "int", "float", "bool", "date", "datetime", "link"] as const;
const DAY = 86_400_000;
const WORDS = ["", "a", "é", "日本語", "🦀", "x".repeat(300), "tab\tnew\nline", "\uFEFFbom"];

function valueOf(type: string, random: () => number): Stored {
  if (random() < 0.15) return null;
  const r = random();
  switch (type) {
    case "string": {
      const w = WORDS[Math.floor(r * WORDS.length)];
      return random() < 0.5 ? w : `${w}-${Math.floor(random() * 1e6)}`;
    }
    case "int":
      return r < 0.05 ? -0 : r < 0.1 ? Number.MAX_SAFE_INTEGER : Math.floor((random() - 0.5) * 1e9);
    case "float":
      return r < 0.05 ? -0 : (random() - 0.5) * 1e6;
    case "bool":
      return r < 0.5;
    case "date":
      return Math.floor((random() - 0.5) * 1e5) * DAY;
    case "datetime":
      return Math.floor((random() - 0.5) * 1e13);
    default: // link
      return 1 + Math.floor(r * 1000);
  }
}

/** One random case: a schema, the data file's rows, and the log's changes. */
function randomCase(seed: number) {
  const random = rng(seed);
  const fields: Field[] = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, j) => {
    const type = TYPES[Math.floor(random() * TYPES.length)];
    return { name: `f${j}`, type, default: null, ...(type === "link" ? { base: "." } : {}) };
  });
  const indexes: IndexSpec[] = fields.filter(() => random() < 0.4).map((f) => ({
    field: f.name,
    kind: random() < 0.5 ? "hash" : "sorted",
  }));
  const row = (id: number, version: number): Row => [
    id,
    version,
    ...fields.map((f) => valueOf(f.type, random)),
  ];
  // Up to 3,000 rows (columns of many pages), ids ascending with gaps.
  const count = [0, 1, 5, 300, 3000][Math.floor(random() * 5)];
  const rows: Row[] = [];
  let id = 0;
  for (let i = 0; i < count; i++) rows.push(row(id += 1 + Math.floor(random() * 3), 0));
  const changes = new Map<number, Row | null>();
  const touches = Math.floor(random() * Math.min(60, count + 5));
  for (let t = 0; t < touches; t++) {
    const r = random();
    if (r < 0.2 || rows.length === 0) {
      changes.set(++id, row(id, 0)); // insert, above every id
    } else {
      const old = rows[Math.floor(random() * rows.length)];
      changes.set(old[0] as number, r < 0.4 ? null : row(old[0] as number, 1 + t));
    }
  }
  // The first and the last rows are where runs start and end: touch them sometimes.
  if (rows.length && random() < 0.5) changes.set(rows[0][0] as number, null);
  if (rows.length && random() < 0.5) {
    changes.set(rows[rows.length - 1][0] as number, row(rows[rows.length - 1][0] as number, 9));
  }
  const live = new Map(rows.map((r) => [r[0] as number, r]));
  for (const [k, v] of changes) v ? live.set(k, v) : live.delete(k);
  const after = [...live.values()].sort((a, b) => (a[0] as number) - (b[0] as number));
  return { fields, indexes, rows, changes, after };
}

Deno.test("a checkpoint carrying rows over as bytes writes the same data file as re-encoding every row: 300 random cases", async () => {
  await withTempDir(async (dir) => {
    for (let seed = 1; seed <= 300; seed++) {
      const { fields, indexes, rows, changes, after } = randomCase(seed);
      const before = join(dir, `data.${seed}`);
      writeDataFile(denoFs, before, { fields, indexes, rows });
      const data = new DataFile(denoFs, before, fields, indexes);
      try {
        const carried = carriedRows(data, { fields, changes });
        assert.ok(carried, `seed ${seed}: the changes are carried`);
        writeDataFile(denoFs, join(dir, "carried"), { fields, indexes, rows: carried });
        writeDataFile(denoFs, join(dir, "encoded"), { fields, indexes, rows: after });
        const a = await Deno.readFile(join(dir, "carried"));
        const b = await Deno.readFile(join(dir, "encoded"));
        assert.ok(
          a.length === b.length && a.every((x, i) => x === b[i]),
          `seed ${seed} (${rows.length} rows, ${changes.size} changes, ${
            fields.map((f) => f.type)
          }): the carried file differs from the re-encoded one`,
        );
      } finally {
        data.close();
      }
    }
  });
});

Deno.test("a base checkpointed over and over keeps every record exactly: 2,000 random commits, checkpoint at 1 KiB", async () => {
  await withTempDir(async (dir) => {
    const random = rng(7);
    const schema = { s: "string", n: "int", x: "float", b: "bool" } as const;
    const db = await new Base(join(dir, "b"), { checkpointBytes: 1024 }).create(schema);
    const model = new Map<
      number,
      { s: string | null; n: number | null; x: number | null; b: boolean | null }
    >();
    try {
      const values = () => ({
        s: valueOf("string", random) as string | null,
        n: valueOf("int", random) as number | null,
        x: valueOf("float", random) as number | null,
        b: valueOf("bool", random) as boolean | null,
      });
      for (let t = 0; t < 2000; t++) {
        const ids = [...model.keys()];
        const r = random();
        if (r < 0.4 || ids.length === 0) {
          const v = values();
          const id = await db.insert(v);
          model.set(id, v);
        } else if (r < 0.85) {
          const id = ids[Math.floor(random() * ids.length)];
          const v = values();
          await db.update((await db.get(id))!, v);
          model.set(id, v);
        } else {
          const id = ids[Math.floor(random() * ids.length)];
          await db.delete((await db.get(id))!);
          model.delete(id);
        }
      }
      await db.close();
      const again = await new Base(join(dir, "b")).open();
      try {
        const got = new Map<number, unknown>();
        for await (const r of again) got.set(r.__id__, { s: r.s, n: r.n, x: r.x, b: r.b });
        assert.deepEqual(got, model);
        const report = await again.check();
        assert.equal(report.ok, true, JSON.stringify(report));
      } finally {
        await again.close();
      }
    } finally {
      await db.close();
    }
  });
});

Deno.test("a checkpoint over a damaged data file page writes no new generation: the damage stays a CorruptionError, never carried under fresh sums", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "b");
    const schema = { n: "int", s: "string" } as const;
    const db = await new Base(path).create(schema);
    await db.insertMany(Array.from({ length: 3000 }, (_, i) => ({ n: i, s: `row ${i}` })));
    await db.close();
    const genOf = async () => JSON.parse(await Deno.readTextFile(join(path, "manifest.json"))).gen;
    const gen = await genOf();
    // The last section is the string column's text: flip a byte near the file's end.
    const file = join(path, `data.${gen}`);
    const bytes = await Deno.readFile(file);
    bytes[bytes.length - 20] ^= 0x01;
    await Deno.writeFile(file, bytes);
    const again = await new Base(path, { checkpointBytes: 1024 }).open();
    try {
      // Point updates of row 1 touch other pages; past 1 KiB of log each commit tries a checkpoint.
      for (let t = 0; t < 60; t++) {
        await again.update((await again.get(1))!, { n: t });
      }
      assert.equal(await genOf(), gen, "no new generation was made current");
      assert.deepEqual(
        (await Array.fromAsync(Deno.readDir(path))).map((e) => e.name).sort(),
        ["data." + gen, "log." + gen, "manifest.json"],
      );
      await assert.rejects(async () => {
        for await (const _ of again) { /* reads every page */ }
      }, CorruptionError);
      assert.equal((await again.get(1))!.n, 59, "the commits themselves are in the log");
    } finally {
      await again.close();
    }
  });
});
