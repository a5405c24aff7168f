// Copyright 2026 the psbase authors. MIT license.
// The PostgreSQL store as a storage driver (_storage/_types.ts): a base is a
// table and its row of `psbase_meta`, made, opened and dropped under the
// table's advisory lock.

import { BaseExistsError, BaseNotFoundError } from "../_errors.ts";
import type { Field } from "../_field/_codec.ts";
import type { IndexSpec, StorageDriver } from "../_storage/_types.ts";
import { checkTable } from "./_check.ts";
import { sqlState } from "./_client.ts";
import { CREATE_META, decodeMeta, insertMeta, selectMeta } from "./_meta.ts";
import {
  createIndexSql,
  lockTimedOut,
  PgStore,
  type PgStore as Store,
  type PgStoreOptions,
  timedLockSql,
  timedSql,
} from "./_store.ts";
import { show } from "../_show.ts";
import { checkFieldName, checkText, createTableSql, ident, lockSql, META, text } from "./_sql.ts";

/** Runs `body`; a missing `psbase_meta` (no base was ever made in this database) gives `none`. */
async function orNone<T>(body: () => Promise<T>, none: T): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (sqlState(e) === "42P01") return none;
    throw e;
  }
}

/** The database's encoding: PgBase needs UTF8, so that text holds any string psbase stores. */
const ENCODING = "SELECT current_setting('server_encoding')";

function checkEncoding(name: string, encoding: unknown): void {
  if (encoding !== "UTF8") {
    throw new Error(
      `Cannot use table ${name}: the database's encoding is ${encoding}, and PgBase needs UTF8 ` +
        `(CREATE DATABASE ... ENCODING 'UTF8')`,
    );
  }
}

/** Whether the table exists, psbase's or not. */
function tableExists(name: string): string {
  return `SELECT to_regclass(${text(ident(name))}) IS NOT NULL`;
}

/** Opens, creates, drops and checks bases stored as PostgreSQL tables. */
export const pgDriver: StorageDriver<PgStoreOptions> = {
  exists: (name, o) =>
    orNone(async () => {
      const [rows] = await o.connection.run([
        `SELECT 1 FROM ${ident(META)} WHERE name = ${text(name)}`,
      ]);
      return rows.length > 0;
    }, false),

  async checkCreate(name, fields, o) {
    // What create() would refuse, refused before "override" removes anything.
    for (const f of fields) {
      checkFieldName(f.name, "create");
      if (typeof f.default === "string") { // the schema is jsonb: no U+0000 either
        checkText(f.default, () => "create", `the default of field ${show(f.name)}`);
      }
    }
    const [[[table]], [[encoding]]] = await o.connection.run([tableExists(name), ENCODING]);
    checkEncoding(name, encoding as string);
    const meta = await orNone(async () => (await o.connection.run([selectMeta(name)]))[0], []);
    if (table && !meta.length) {
      throw new Error(
        `Cannot create a base in table ${name}: a table of that name exists, and it is not a psbase base`,
      );
    }
  },

  async open(name, o) {
    const [rows, [[encoding]]] = await orNone(
      () => o.connection.run([selectMeta(name), ENCODING]),
      [[], [["UTF8"]]],
    );
    checkEncoding(name, encoding);
    if (!rows.length) throw new BaseNotFoundError(name);
    return new PgStore(name, o, decodeMeta(name, rows[0]));
  },

  async create(name: string, fields: Field[], indexes: IndexSpec[], o): Promise<Store> {
    for (const f of fields) checkFieldName(f.name, "create");
    const c = o.connection;
    const [[[taken]], [[table]], [[encoding]]] = (await c.run([
      "BEGIN",
      // Both locks bounded by timeoutMs: the maker of psbase_meta may itself be a create waiting
      // for another table's lock.
      ...timedSql([
        lockSql(META), // one maker of psbase_meta at a time
        CREATE_META,
        lockSql(name), // create and destroy always lock
      ], o),
      `SELECT EXISTS (SELECT 1 FROM ${ident(META)} WHERE name = ${text(name)})`,
      tableExists(name),
      ENCODING,
    ]).catch(async (e) => {
      await c.run(["ROLLBACK"]).catch(() => {});
      throw lockTimedOut(name, o, e);
    })).slice(-3);
    if (taken || table || encoding !== "UTF8") {
      await c.run(["ROLLBACK"]);
      checkEncoding(name, encoding as string);
      if (taken) throw new BaseExistsError(name);
      throw new Error(
        `Cannot create a base in table ${name}: a table of that name exists, and it is not a psbase base`,
      );
    }
    let generation: number;
    try {
      const r = await c.run([
        createTableSql(name, fields),
        ...indexes.map((ix) => createIndexSql(name, ix)),
        insertMeta(name, fields, indexes),
        `SELECT generation FROM ${ident(META)} WHERE name = ${text(name)}`,
        "COMMIT",
      ]);
      generation = Number(r[r.length - 1][0][0]); // the one statement that returns rows
    } catch (e) {
      await c.run(["ROLLBACK"]).catch(() => {});
      throw e;
    }
    return new PgStore(name, o, { generation, nextId: 1, fields, indexes });
  },

  async destroy(name, o) {
    const c = o.connection;
    await orNone(async () => {
      const [[[had]]] = (await c.run([
        "BEGIN",
        ...timedLockSql(name, { ...o, lock: true }), // create and destroy always lock
        `WITH d AS (DELETE FROM ${ident(META)} WHERE name = ${text(name)} RETURNING 1)
         SELECT count(*) FROM d`,
      ])).slice(-1);
      await c.run([...(had ? [`DROP TABLE IF EXISTS ${ident(name)}`] : []), "COMMIT"]);
    }, undefined).catch(async (e) => {
      await c.run(["ROLLBACK"]).catch(() => {});
      throw lockTimedOut(name, o, e);
    });
  },

  check: (name, o) => checkTable(name, o.connection),
};
