// Copyright 2026 the psbase authors. MIT license.
// The schema of every PgBase, one row each in `psbase_meta` (the file
// store's manifest, FORMAT.md F2): field order, types, defaults, links,
// indexes, the next `__id__`, and a generation bumped by every schema change
// so that other processes know to re-read it.

import { CorruptionError } from "../_errors.ts";
import type { Field } from "../_field/_codec.ts";
import { checkStoredSchema, jsonFields } from "../_storage/_schema.ts";
import type { IndexSpec } from "../_storage/_types.ts";
import { ident, META, NAME, text } from "./_sql.ts";

/** The index kinds a PgBase builds (as PostgreSQL indexes: hash and btree). */
const KINDS = ["hash", "sorted"];

/** The format of a `psbase_meta` row this code reads and writes. */
export const PG_FORMAT = 1;

/** One base's row of `psbase_meta`. */
export interface Meta {
  generation: number;
  nextId: number;
  fields: Field[];
  indexes: IndexSpec[];
}

/**
 * A schema's generation: the id of the transaction that wrote it, so that no
 * two schemas of one table name share one, not even across a destroy and a
 * create (a handle that read the old one sees the change).
 */
const GENERATION = "txid_current()";

/** Creates `psbase_meta` unless it exists (run under the create lock: see `_driver.ts`). */
export const CREATE_META = `CREATE TABLE IF NOT EXISTS ${ident(META)} (
  name text COLLATE "C" PRIMARY KEY,
  format int NOT NULL,
  generation int8 NOT NULL,
  next_id int8 NOT NULL,
  fields jsonb NOT NULL,
  indexes jsonb NOT NULL
)`;

/** Selects the row of table `name`: format, generation, next_id, fields, indexes. */
export function selectMeta(name: string, lock = false): string {
  return `SELECT format, generation, next_id, fields, indexes FROM ${ident(META)} WHERE name = ${
    text(name)
  }${lock ? " FOR UPDATE" : ""}`;
}

/** The `fields` JSON of a schema. */
export function fieldsJson(fields: readonly Field[]): string {
  return text(JSON.stringify(jsonFields(fields)));
}

/** The `indexes` JSON of a schema. */
export function indexesJson(indexes: readonly IndexSpec[]): string {
  return text(JSON.stringify(indexes));
}

/** Inserts the row of a new base. */
export function insertMeta(name: string, fields: Field[], indexes: IndexSpec[]): string {
  return `INSERT INTO ${ident(META)} (name, format, generation, next_id, fields, indexes) VALUES (${
    text(name)
  }, ${PG_FORMAT}, ${GENERATION}, 1, ${fieldsJson(fields)}::jsonb, ${indexesJson(indexes)}::jsonb)`;
}

/** Writes a new schema, under a new generation. */
export function updateSchema(name: string, fields: Field[], indexes: IndexSpec[]): string {
  return `UPDATE ${ident(META)} SET generation = ${GENERATION}, fields = ${
    fieldsJson(fields)
  }::jsonb, indexes = ${indexesJson(indexes)}::jsonb WHERE name = ${text(name)}`;
}

/** Parses and checks a `psbase_meta` row; throws a CorruptionError naming it. */
export function decodeMeta(name: string, row: unknown[]): Meta {
  const where = `${META} (row ${JSON.stringify(name)})`;
  const bad = (detail: string) => new CorruptionError(where, detail);
  const [format, generation, nextId, fields, indexes] = row as [
    unknown,
    number,
    number,
    unknown,
    unknown,
  ];
  if (format !== PG_FORMAT) {
    throw bad(`unsupported format ${JSON.stringify(format)} (this psbase reads ${PG_FORMAT})`);
  }
  if (!Number.isSafeInteger(generation) || generation < 1) throw bad("bad generation");
  if (!Number.isSafeInteger(nextId) || nextId < 1) throw bad("bad next_id");
  const schema = checkStoredSchema({ fields, indexes }, { kinds: KINDS, name: NAME, bad });
  return { generation, nextId, ...schema };
}
