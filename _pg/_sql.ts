// Copyright 2026 the psbase authors. MIT license.
// SQL text for the PostgreSQL store: identifiers, literals and column types
// by field type. Every statement is sent as text through the simple query
// protocol, so that several statements go in one round trip; values are
// written as literals here (escaped, typed), never spliced in elsewhere.

import type { Field, Stored } from "../_field/_codec.ts";
import { show } from "../_show.ts";

/** A table or field name PostgreSQL keeps as is (quoted: case kept, at most 63 bytes). */
export const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** The table holding every base's schema (one row a base). */
export const META = "psbase_meta";

/** A quoted identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal that means the same whatever `standard_conforming_strings` is. */
export function text(s: string): string {
  return `E'${s.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

/** The column type of a field type (FORMAT.md, F5: what is stored reads back exactly). */
export function columnType(type: string): string {
  switch (type) {
    case "string":
      return `text COLLATE "C"`;
    case "int": // float8, not int8: a safe integer fits exactly, and -0 is kept (F5)
    case "float":
      return "float8";
    case "bool":
      return "boolean";
    default: // date, datetime (epoch ms), link (an __id__)
      return "int8";
  }
}

/** The type of a column of a field type, as `format_type` names it (the integrity check). */
export function catalogType(type: string): string {
  const t = columnType(type);
  return t === "float8" ? "double precision" : t === "int8" ? "bigint" : t.split(" ")[0];
}

/** A number as float8 text: -0 kept (`String(-0)` is "0"). */
function float(v: number): string {
  return Object.is(v, -0) ? "'-0'::float8" : `'${v}'::float8`;
}

/**
 * Throws a TypeError unless PostgreSQL's `text` can hold `s` exactly (UTF-8,
 * no U+0000). `what` names the call, `subject` what holds `s` ("field "s"").
 */
export function checkText(s: string, what: () => string, subject = "a string"): void {
  if (s.includes("\0")) {
    throw new TypeError(
      `Cannot ${what()}: ${subject} holds U+0000, which PostgreSQL's text cannot store ` +
        "(a PgBase difference)",
    );
  }
  if (!s.isWellFormed()) {
    throw new TypeError(
      `Cannot ${what()}: ${subject} ${show(s)} holds a lone surrogate, which has no UTF-8`,
    );
  }
}

/**
 * The literal of a stored value of field type `type` (k 0 and 1, `__id__` and
 * `__version__`, are int8). `what` names the call and `subject` the value for
 * a TypeError (see {@linkcode checkText}).
 */
export function literal(v: Stored, type: string, what: () => string, subject?: string): string {
  if (v === null) return "NULL";
  switch (columnType(type)) {
    case "float8":
      return float(v as number);
    case "boolean":
      return v ? "TRUE" : "FALSE";
    case "int8":
      return `'${v}'::int8`;
    default:
      checkText(v as string, what, subject);
      return text(v as string);
  }
}

/** The SQL type of row position `k`'s column. */
export function typeAt(k: number, fields: readonly Field[]): string {
  return k < 2 ? "link" : fields[k - 2].type;
}

/** The column of row position `k` (0 `__id__`, 1 `__version__`, 2+ fields). */
export function columnAt(k: number, fields: readonly Field[]): string {
  return ident(k === 0 ? "__id__" : k === 1 ? "__version__" : fields[k - 2].name);
}

/** FNV-1a (32 bits) of a string's UTF-16 code units, as a signed int4. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** The first key of every advisory lock psbase takes ("psbs"). */
export const LOCK_CLASS = 0x70736273;

/** Takes the write lock of table `name` until the transaction ends (the `PsBase` file lock's twin). */
export function lockSql(name: string): string {
  return `SELECT pg_advisory_xact_lock(${LOCK_CLASS}, ${hash32(name)})`;
}

/** The name of the index on `field` of table `name`: readable, unique, at most 63 bytes. */
export function indexName(name: string, field: string): string {
  const h = (hash32(`${name}.${field}`) >>> 0).toString(16).padStart(8, "0");
  return `${`${name}_${field}`.slice(0, 50)}_${h}`;
}

/** Throws a TypeError for a field name PostgreSQL would cut (over 63 bytes). */
export function checkFieldName(name: string, what: string): void {
  if (!NAME.test(name)) {
    throw new TypeError(
      `Cannot ${what}: field name ${
        JSON.stringify(name.slice(0, 20) + "...")
      } is over 63 characters, PostgreSQL's limit for a column name`,
    );
  }
}

/** The statement making the table of a new base. */
export function createTableSql(name: string, fields: Field[]): string {
  const cols = [
    `"__id__" int8 PRIMARY KEY`,
    `"__version__" int8 NOT NULL`,
    ...fields.map((f) => `${ident(f.name)} ${columnType(f.type)}`),
  ];
  return `CREATE TABLE ${ident(name)} (${cols.join(", ")})`;
}
