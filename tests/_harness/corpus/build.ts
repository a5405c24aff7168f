// Copyright 2026 the psbase authors. MIT license.
/**
 * The intact bases the corpus damages, and what a reader must find in each.
 * The first went through several generations (a checkpoint by `cleanup()`, a big commit
 * written as a generation, updates, deletes, another cleanup), then a dozen
 * commits in the log, so every file has every region: a data file with every
 * field type and nulls, a log with several records, a manifest with a schema.
 *
 * @module
 */

import { join } from "node:path";
import { PsBase, type RecordOf, type Where } from "../../../mod.ts";
import { fnv1a } from "./format.ts";

/** What a reader of the intact base must find; written as JSON for the reader processes. */
export interface Expectation {
  /** Every live id, ascending. */
  ids: number[];
  /** Each live record, canonical (see {@linkcode canonical}), by id. */
  records: { [id: string]: string };
  /** `find` queries and the ids each returns. */
  queries: Array<{ where: Where; ids: number[] }>;
  /** Hash of the whole table after each log commit: `prefixes[k]` after k commits. */
  prefixes: string[];
  /** The largest id ever handed out. */
  maxId: number;
  /** The ids of the data file's rows, in row order (F3: sorted by id). */
  dataIds: number[];
}

/** A record as one string, dates as epoch milliseconds (so a date never equals a string). */
export function canonical(r: RecordOf): string {
  return JSON.stringify(
    Object.entries(r).map(([k, v]) => [k, v instanceof Date ? { date: v.getTime() } : v]),
  );
}

/** A hash of a table: its records, canonical, in id order. */
export function tableHash(records: RecordOf[]): string {
  const text = [...records].sort((a, b) => a.__id__ - b.__id__).map(canonical).join("\n");
  return `${records.length}:${fnv1a(new TextEncoder().encode(text)).toString(16)}`;
}

const SCHEMA = {
  s: "string",
  i: "int",
  f: "float",
  b: "bool",
  d: "date",
  t: "datetime",
  n: { type: "int", default: 7 },
} as const;

const STRINGS = ["", "a", "héllo", "✓ done", "𝄞 clef", "tab\tnew\nline", 'quote " and \\'];

/** Row `k` of the corpus table: every type, nulls now and then. */
function row(k: number, tag: string): { [f: string]: unknown } {
  return {
    s: k % 11 === 5 ? null : `${tag}${k} ${STRINGS[k % STRINGS.length]}`,
    i: k % 13 === 3 ? null : k * 37 - 500,
    f: k % 17 === 4 ? null : k / 8 - 3.25,
    b: k % 3 === 0 ? null : k % 2 === 0,
    d: k % 7 === 1 ? null : new Date(Date.UTC(2020, k % 12, 1 + (k % 28))),
    t: k % 9 === 2 ? null : new Date(Date.UTC(2021, 0, 1) + k * 3_600_123),
  };
}

async function all(db: PsBase): Promise<RecordOf[]> {
  const out: RecordOf[] = [];
  for await (const r of db) out.push(r);
  return out;
}

const WHERES: Where[] = [
  { i: 3 * 37 - 500 },
  { i: [0, 3000] },
  { f: [-1, 1] },
  { b: true },
  { b: null },
  { s: "updated" },
  { s: null },
  { n: 2 },
  { i: 424242 },
];

/** What a reader must find in `db` as it is now. */
async function expectation(
  db: PsBase,
  o: { prefixes: string[]; maxId: number; dataIds: number[] },
): Promise<Expectation> {
  const records = await all(db);
  const queries = [];
  for (const where of WHERES) {
    queries.push({ where, ids: (await db.find(where)).map((r) => r.__id__) });
  }
  return {
    ids: records.map((r) => r.__id__),
    records: Object.fromEntries(records.map((r) => [r.__id__, canonical(r)])),
    queries,
    ...o,
  };
}

/** One intact base of the corpus, and what a reader must find in it. */
export interface CorpusBase {
  /** `log`: a data file and a log of 11 commits; `checkpoint`: right after a checkpoint, an empty log. */
  name: "log" | "checkpoint";
  path: string;
  want: Expectation;
}

/**
 * Builds the corpus's two intact bases in `dir`: `log` (a data file, then 11
 * commits in the log) and `checkpoint` (a copy of the same base right after
 * its last checkpoint: an empty log, and the newest id deleted before it, so
 * that only the manifest's nextId keeps that id from being handed out again).
 */
export async function buildCorpusBases(dir: string): Promise<CorpusBase[]> {
  const path = join(dir, "log");
  const copy = join(dir, "checkpoint");
  const db = await new PsBase(path).create({ ...SCHEMA });
  try {
    await db.insertMany(Array.from({ length: 40 }, (_, k) => row(k, "g1-"))); // a logged commit
    await db.cleanup(); // a data file
    await db.insertMany(Array.from({ length: 300 }, (_, k) => row(k + 40, "big-"))); // W7
    const some = await db.select(["i"], { i: [0, 2000] });
    await db.update(some.slice(0, 20), { n: 1 });
    await db.delete(some.slice(20, 35));
    const gone = await db.insert(row(999, "gone-"));
    await db.delete(gone);
    await db.cleanup(); // the data file the corpus damages, with an empty log
    const dataIds = (await all(db)).map((r) => r.__id__).sort((a, b) => a - b);
    const prefixes = [tableHash(await all(db))];
    const atCheckpoint = await expectation(db, { prefixes: [...prefixes], maxId: gone, dataIds });
    await Deno.mkdir(copy);
    for (const e of Deno.readDirSync(path)) {
      await Deno.copyFile(join(path, e.name), join(copy, e.name));
    }
    const commits: Array<() => Promise<unknown>> = [
      () => db.insert(row(1000, "log-")),
      () => db.insertMany([row(1001, "log-"), row(1002, "log-"), row(1003, "log-")]),
      async () => db.update(await db.find({ i: 1 * 37 - 500 }), { s: "updated", b: true }),
      () => db.delete(some[40].__id__),
      () =>
        db.transaction(async (tx) => {
          const id = await tx.insert({ s: "in a transaction", i: 424242 });
          const [r] = await tx.find({ i: 424242 });
          await tx.update(r, { f: 0.5, t: new Date(Date.UTC(2024, 1, 29, 12)) });
          return id;
        }),
      () => db.insert({ s: null, i: null, f: null, b: null, d: null, t: null }),
      () => db.insert({ s: "ünïcödé 日本語 🎉", i: Number.MAX_SAFE_INTEGER, f: -1e300, b: false }),
      async () => db.update(await db.find({ n: 1 }), { n: 2 }),
      () => db.delete([some[41].__id__, some[42].__id__]),
      () => db.insert(row(1004, "log-")),
      () => db.insert(row(1005, "last-")),
    ];
    let maxId = gone;
    for (const c of commits) {
      const r = await c();
      if (typeof r === "number") maxId = Math.max(maxId, r);
      if (Array.isArray(r)) maxId = Math.max(maxId, ...r);
      prefixes.push(tableHash(await all(db)));
    }
    return [
      { name: "log", path, want: await expectation(db, { prefixes, maxId, dataIds }) },
      { name: "checkpoint", path: copy, want: atCheckpoint },
    ];
  } finally {
    await db.close();
  }
}
