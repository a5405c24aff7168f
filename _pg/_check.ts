// Copyright 2026 the psbase authors. MIT license.
// The integrity check of a PgBase (the file store's FORMAT.md K, for a
// table): PostgreSQL checks its own pages; what psbase checks is that its
// metadata and the catalog agree, and that every stored value is one an
// insert could have stored (F5). One read-only snapshot, no lock, no write.

import { CorruptionError } from "../_errors.ts";
import type { Field } from "../_field/_codec.ts";
import type { CheckItem, CheckReport } from "../_storage/_types.ts";
import type { Connection } from "./_client.ts";
import { decodeMeta, type Meta, selectMeta } from "./_meta.ts";
import { catalogType, ident, indexName, META, text } from "./_sql.ts";

const DAY = 86_400_000;

/** Per field type: SQL that is true for a stored value no insert could have stored (F5). */
function badValue(f: Field): string | undefined {
  const c = ident(f.name);
  switch (f.type) {
    case "int":
      return `${c} <> trunc(${c}) OR abs(${c}) > 9007199254740991 OR ${c} = 'NaN'::float8`;
    case "float":
      return `${c} IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)`;
    case "date":
      return `${c} % ${DAY} <> 0 OR abs(${c}) > 8640000000000000`;
    case "datetime":
      return `abs(${c}) > 8640000000000000`;
    case "link":
      return `${c} < 1`;
    default:
      return undefined; // text and boolean hold only what psbase could store
  }
}

/** Checks the base in table `name`: `psbase_meta`, the catalog, every value. */
export async function checkTable(name: string, conn: Connection): Promise<CheckReport> {
  const problems: CheckItem[] = [];
  const notes: CheckItem[] = [];
  const table = `table ${name}`;
  const reg = `to_regclass(${text(ident(name))})`;
  const report = (): CheckReport => ({ ok: problems.length === 0, problems, notes });
  const [metaRows, columns, primary, indexes] = await conn.run([
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    selectMeta(name),
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, coalesce(co.collname, '')
     FROM pg_attribute a LEFT JOIN pg_collation co ON co.oid = a.attcollation
     WHERE a.attrelid = ${reg} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    `SELECT a.attname FROM pg_index i
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
     WHERE i.indrelid = ${reg} AND i.indisprimary`,
    `SELECT c.relname, am.amname, i.indisvalid,
       (SELECT string_agg(a.attname, ',') FROM pg_attribute a
        WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey))
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
     WHERE i.indrelid = ${reg} AND NOT i.indisprimary`,
  ]);
  try {
    let meta: Meta;
    if (!metaRows.length) {
      problems.push({ file: META, detail: `no row for ${name}: there is no base` });
      return report();
    }
    try {
      meta = decodeMeta(name, metaRows[0]);
    } catch (e) {
      if (!(e instanceof CorruptionError)) throw e;
      problems.push({ file: META, detail: e.detail });
      return report();
    }
    if (!columns.length) {
      problems.push({ file: table, detail: `the table is missing (${META} names it)` });
      return report();
    }
    // The columns: __id__, __version__, then every field, of its type (any order: PostgreSQL
    // appends added columns; the schema's order is the one in psbase_meta).
    const want = new Map<string, string>([["__id__", "bigint"], ["__version__", "bigint"]]);
    for (const f of meta.fields) want.set(f.name, catalogType(f.type));
    const have = new Map(columns.map((c) => [c[0] as string, c]));
    for (const [col, type] of want) {
      const c = have.get(col);
      if (!c) problems.push({ file: table, detail: `column ${col} is missing` });
      else if (c[1] !== type) {
        problems.push({ file: table, detail: `column ${col} is ${c[1]}, not ${type}` });
      } else if (type === "text" && c[3] !== "C") {
        problems.push({ file: table, detail: `column ${col} has collation ${c[3]}, not "C"` });
      }
    }
    for (const col of have.keys()) {
      if (!want.has(col)) {
        problems.push({ file: table, detail: `column ${col} is in no field of ${META}` });
      }
    }
    if (primary.length !== 1 || primary[0][0] !== "__id__") {
      problems.push({ file: table, detail: "__id__ is not the primary key" });
    }
    // The indexes psbase_meta names, and only those of psbase's naming.
    const byName = new Map(indexes.map((ix) => [ix[0] as string, ix]));
    for (const ix of meta.indexes) {
      const found = byName.get(indexName(name, ix.field));
      const am = ix.kind === "hash" ? "hash" : "btree";
      if (!found) {
        problems.push({ file: table, detail: `the ${ix.kind} index on ${ix.field} is missing` });
      } else if (found[1] !== am || found[3] !== ix.field || found[2] !== true) {
        problems.push({
          file: table,
          detail: `index ${found[0]} is ${found[1]} on ${found[3]}${
            found[2] ? "" : " (invalid)"
          }, not ${am} on ${ix.field}`,
        });
      }
      byName.delete(indexName(name, ix.field));
    }
    for (const [other] of byName) {
      notes.push({ file: table, detail: `index ${other} is not psbase's (left alone)` });
    }
    if (problems.length) return report();
    // Every value (F5), ids below next_id, versions >= 0.
    const checks: Array<[string, string]> = [
      ["__id__", `"__id__" < 1 OR "__id__" >= ${meta.nextId}`],
      ["__version__", `"__version__" < 0`],
    ];
    for (const f of meta.fields) {
      const bad = badValue(f);
      if (bad) checks.push([f.name, bad]);
    }
    const [[counts]] = await conn.run([
      `SELECT ${checks.map(([, sql]) => `count(*) FILTER (WHERE ${sql})`).join(", ")} FROM ${
        ident(name)
      }`,
    ]);
    checks.forEach(([col], j) => {
      const n = counts[j] as number;
      if (!n) return;
      const detail = col === "__id__"
        ? `${n} rows have an __id__ below 1 or not below next_id ${meta.nextId}`
        : col === "__version__"
        ? `${n} rows have a negative __version__`
        : `${n} values of ${col} are not ${
          meta.fields.find((f) => f.name === col)!.type
        } values psbase stores`;
      problems.push({ file: table, detail });
    });
    return report();
  } finally {
    await conn.run(["COMMIT"]).catch(() => {});
  }
}
