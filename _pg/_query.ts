// Copyright 2026 the psbase authors. MIT license.
// Queries of the PostgreSQL store: every `where` form that SQL can answer as
// JavaScript would is pushed down (equality, null, `in`, ranges); a RegExp is
// tested here, on the rows SQL returns, since PostgreSQL's regular
// expressions are not JavaScript's. Ordering matches the file store: nulls
// first ascending (last descending), strings by code unit (`COLLATE "C"`
// orders by code point: they differ only for characters above U+FFFF against
// U+E000-U+FFFF), ties by `__id__`.

import type { Field, Row, Stored } from "../_field/_codec.ts";
import type { Cond } from "../_query/_where.ts";
import type { Query } from "../_storage/_types.ts";
import { columnAt, ident, literal, typeAt } from "./_sql.ts";

const WHERE = () => "select";

/** The SQL condition of one compiled condition (not a RegExp). */
function condSql(c: Cond, fields: readonly Field[]): string {
  const col = columnAt(c.k, fields);
  const type = typeAt(c.k, fields);
  const lit = (v: Stored) => literal(v, type, WHERE);
  if (c.eqNull) return `${col} IS NULL`;
  if (c.eq !== undefined) return noNul(c.eq) ? `${col} = ${lit(c.eq)}` : "FALSE";
  if (c.in) {
    const values = c.in.filter((v) => v !== null && noNul(v));
    const parts = values.length ? [`${col} IN (${values.map(lit).join(", ")})`] : [];
    if (c.in.includes(null)) parts.push(`${col} IS NULL`);
    return parts.length ? `(${parts.join(" OR ")})` : "FALSE";
  }
  const [lo, hi] = c.range!;
  const parts = [`${col} IS NOT NULL`];
  if (lo !== null) parts.push(`${col} >= ${lit(lo)}`);
  if (hi !== null) parts.push(`${col} <= ${lit(hi)}`);
  return parts.join(" AND ");
}

/** A value no stored string can equal (PostgreSQL text holds no U+0000): matches nothing. */
function noNul(v: Stored): boolean {
  return typeof v !== "string" || !v.includes("\0");
}

/** The WHERE clause of the conditions SQL answers, and those left for JavaScript. */
export function whereSql(
  conds: readonly Cond[],
  fields: readonly Field[],
): { sql: string; js: Cond[] } {
  const js = conds.filter((c) => c.re);
  const parts = conds.filter((c) => !c.re).map((c) => condSql(c, fields));
  return { sql: parts.length ? ` WHERE ${parts.join(" AND ")}` : "", js };
}

/** The statement of a query over `table`, and how to turn its rows into psbase rows. */
export function selectSql(
  table: string,
  q: Query,
  fields: readonly Field[],
): { sql: string; rows: (values: unknown[][]) => Row[] } {
  const { sql: where, js } = whereSql(q.conds, fields);
  // Positions read: the wanted ones, plus those a RegExp tests.
  const read = [...new Set([0, ...q.want, ...js.map((c) => c.k)])].sort((a, b) => a - b);
  const cols = read.map((k) => columnAt(k, fields)).join(", ");
  const order = [
    ...q.order.map((o) =>
      `${columnAt(o.k, fields)} ${o.desc ? "DESC NULLS LAST" : "ASC NULLS FIRST"}`
    ),
    `${ident("__id__")} ASC`,
  ].join(", ");
  let sql = `SELECT ${cols} FROM ${ident(table)}${where} ORDER BY ${order}`;
  if (!js.length) {
    if (q.limit !== undefined) sql += ` LIMIT ${q.limit}`;
    if (q.offset) sql += ` OFFSET ${q.offset}`;
  }
  const width = fields.length + 2;
  const wanted = new Set([0, ...q.want]);
  return {
    sql,
    rows(values) {
      let out: Row[] = [];
      for (const v of values) {
        const row: Row = new Array(width).fill(null);
        read.forEach((k, j) => row[k] = v[j] as Stored);
        if (js.length && !js.every((c) => c.test(row[c.k]))) continue;
        if (js.length) { for (const c of js) if (!wanted.has(c.k)) row[c.k] = null; }
        out.push(row);
      }
      if (js.length) {
        const end = q.limit === undefined ? undefined : q.offset + q.limit;
        out = out.slice(q.offset, end);
      }
      return out;
    },
  };
}

/** The statement counting the rows that match, and how to read its answer. */
export function countSql(
  table: string,
  conds: readonly Cond[],
  fields: readonly Field[],
): { sql: string; count: (values: unknown[][]) => number } {
  const { sql: where, js } = whereSql(conds, fields);
  if (!js.length) {
    return { sql: `SELECT count(*) FROM ${ident(table)}${where}`, count: (v) => v[0][0] as number };
  }
  const ks = [...new Set(js.map((c) => c.k))];
  return {
    sql: `SELECT ${ks.map((k) => columnAt(k, fields)).join(", ")} FROM ${ident(table)}${where}`,
    count: (values) =>
      values.filter((v) => js.every((c) => c.test(v[ks.indexOf(c.k)] as Stored))).length,
  };
}
