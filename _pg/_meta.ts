// Copyright 2026 the psbase authors. MIT license.
// The schema of every PgBase, one row each in `psbase_meta` (the file
// store's manifest, FORMAT.md F2): field order, types, defaults, links,
// indexes, the next `__id__`, and a generation bumped by every schema change
// so that other processes know to re-read it.

import { CorruptionError } from "../_errors.ts";
import type { Field, Stored } from "../_field/_codec.ts";
import { codecOf } from "../_field/_list.ts";
import type { IndexSpec } from "../_storage/_types.ts";
import { ident, META, NAME, text } from "./_sql.ts";

/** The format of a `psbase_meta` row this code reads and writes. */
export const PG_FORMAT = 1;

/** One base's row of `psbase_meta`. */
export interface Meta {
  generation: number;
  nextId: number;
  fields: Field[];
  indexes: IndexSpec[];
}

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

/** JSON has no -0: a numeric default of -0 is kept as "-0" (as in the file store's log, F6). */
function jsonDefault(f: Field): unknown {
  return Object.is(f.default, -0) ? "-0" : f.default;
}

/** The `fields` JSON of a schema. */
export function fieldsJson(fields: readonly Field[]): string {
  return text(JSON.stringify(fields.map((f) => ({ ...f, default: jsonDefault(f) }))));
}

/** The `indexes` JSON of a schema. */
export function indexesJson(indexes: readonly IndexSpec[]): string {
  return text(JSON.stringify(indexes));
}

/** Inserts the row of a new base. */
export function insertMeta(name: string, fields: Field[], indexes: IndexSpec[]): string {
  return `INSERT INTO ${ident(META)} (name, format, generation, next_id, fields, indexes) VALUES (${
    text(name)
  }, ${PG_FORMAT}, 1, 1, ${fieldsJson(fields)}::jsonb, ${indexesJson(indexes)}::jsonb)`;
}

/** Writes a new schema: the generation goes up by one. */
export function updateSchema(name: string, fields: Field[], indexes: IndexSpec[]): string {
  return `UPDATE ${ident(META)} SET generation = generation + 1, fields = ${
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
    Array<Field & { default: unknown }>,
    IndexSpec[],
  ];
  if (format !== PG_FORMAT) {
    throw bad(`unsupported format ${JSON.stringify(format)} (this psbase reads ${PG_FORMAT})`);
  }
  if (!Number.isSafeInteger(generation) || generation < 1) throw bad("bad generation");
  if (!Number.isSafeInteger(nextId) || nextId < 1) throw bad("bad next_id");
  if (!Array.isArray(fields) || fields.length === 0) throw bad("no fields");
  const names = new Set<string>();
  const out: Field[] = [];
  for (const f of fields) {
    const codec = typeof f?.type === "string" ? codecOf(f.type) : undefined;
    if (
      typeof f?.name !== "string" || !NAME.test(f.name) || f.name === "__id__" ||
      f.name === "__version__" || names.has(f.name)
    ) {
      throw bad(`bad field name ${JSON.stringify(f?.name)}`);
    }
    names.add(f.name);
    if (!codec) throw bad(`field ${f.name}: unknown type ${JSON.stringify(f.type)}`);
    const dflt = (f.default === "-0" && codec.encoding === "f64" ? -0 : f.default) as Stored;
    if (dflt !== null && !codec.valid(dflt)) {
      throw bad(`field ${f.name}: default ${JSON.stringify(f.default)} is not ${codec.expects}`);
    }
    if ((f.type === "link") !== (typeof f.base === "string")) {
      throw bad(`field ${f.name}: a link, and only a link, names a base`);
    }
    const field: Field = { name: f.name, type: f.type, default: dflt };
    if (f.type === "link") field.base = f.base;
    out.push(field);
  }
  if (!Array.isArray(indexes)) throw bad("no index list");
  const indexed = new Set<string>();
  for (const ix of indexes) {
    if (!names.has(ix?.field) || indexed.has(ix.field)) {
      throw bad(`bad index on ${JSON.stringify(ix?.field)}`);
    }
    indexed.add(ix.field);
    if (ix.kind !== "hash" && ix.kind !== "sorted") {
      throw bad(`index on ${ix.field}: unknown kind ${JSON.stringify(ix.kind)}`);
    }
  }
  return {
    generation,
    nextId,
    fields: out,
    indexes: indexes.map((ix) => ({ field: ix.field, kind: ix.kind })),
  };
}
