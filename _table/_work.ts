// Copyright 2026 the psbase authors. MIT license.
// What every public method does with the storage, checked and encoded: the
// same for the base's own methods and for a transaction's (`tx`), over any
// storage (_storage/_types.ts).

import { ConflictError } from "../_errors.ts";
import type { Field, Row, Stored } from "../_field/_codec.ts";
import { ResultSet } from "../_query/_result_set.ts";
import { compileWhere, fieldPosition } from "../_query/_where.ts";
import { show } from "../_show.ts";
import { LAST_ID } from "../_storage/_schema.ts";
import type { Query, Reader, WriteSet } from "../_storage/_types.ts";
import { checkId, isPlainObject, queryOptions, selectArgs, targetIds, wantOf } from "./_args.ts";
import { decode, encode } from "./_schema.ts";

/** A record as the table layer handles it (typed by the public API). */
export type Rec = { __id__: number; __version__: number; [field: string]: unknown };

/** Turns rows into records (decoding values, resolving links). */
export type ToRecords = (rows: Row[], want: number[], fields: readonly Field[]) => Promise<Rec[]>;

/** Encodes an object of field values; rejects unknown and reserved keys (`what` names the call). */
function encodeValues(
  values: unknown,
  fields: readonly Field[],
  what: string,
): Map<number, Stored> {
  if (!isPlainObject(values)) {
    throw new TypeError(`Cannot ${what}: expected an object of field values, got ${show(values)}`);
  }
  const out = new Map<number, Stored>();
  for (const [name, v] of Object.entries(values)) {
    if (name === "__id__" || name === "__version__") {
      throw new TypeError(`Cannot ${what}: ${name} is set by the base and cannot be given`);
    }
    const at = fieldPosition(name, fields);
    if (!at) {
      throw new TypeError(
        `Cannot ${what}: unknown field ${show(name)} (fields: ${
          fields.map((f) => f.name).join(", ")
        })`,
      );
    }
    if (v === undefined) continue; // as if left out (TypeScript's optional fields)
    try {
      out.set(at[0], encode(at[1], v));
    } catch (e) {
      throw new TypeError(`Cannot ${what}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Checks every row first, then inserts all (all or none). Returns their ids. */
export async function insertRows(ws: WriteSet, rows: unknown, method: string): Promise<number[]> {
  if (!Array.isArray(rows)) {
    throw new TypeError(`Cannot ${method}: expected an array of objects, got ${show(rows)}`);
  }
  const fields = ws.fields;
  const call = (i: number) => method === "insert" ? "insert" : `insertMany (row ${i})`;
  const encoded: Stored[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const given = encodeValues(rows[i], fields, call(i));
    encoded.push(fields.map((f, j) => given.has(j + 2) ? given.get(j + 2)! : f.default));
  }
  // Refused before any id is taken, so a caller that catches this can still commit.
  if (ws.nextId + encoded.length - 1 > LAST_ID) {
    throw new RangeError(
      `Cannot ${method}: ${
        encoded.length === 1 ? "a new id" : `${encoded.length} new ids`
      } would pass ${LAST_ID}, the last id a base gives`,
    );
  }
  // What the storage cannot hold (PostgreSQL's limits), refused before any row is in.
  if (ws.check) { for (let i = 0; i < encoded.length; i++) ws.check(encoded[i], call(i)); }
  const ids: number[] = [];
  for (const values of encoded) ids.push(await ws.insert(values));
  return ids;
}

/** Updates each record, all or none; ConflictError when one is stale. Returns the new rows. */
export async function updateRecords(
  ws: WriteSet,
  records: unknown,
  changes: unknown,
): Promise<Row[]> {
  const list = Array.isArray(records) ? records : [records];
  const given = encodeValues(changes, ws.fields, "update");
  if (given.size === 0) {
    throw new TypeError("Cannot update: no changes given (an object of field values to set)");
  }
  const ids = list.map((r) => {
    if (!isPlainObject(r) || !Number.isSafeInteger(r.__id__)) {
      throw new TypeError(
        `Cannot update: expected records with an __id__ (as read from the base), got ${show(r)}`,
      );
    }
    if (!Number.isSafeInteger(r.__version__)) {
      throw new TypeError(
        `Cannot update: record ${r.__id__} has no valid __version__ (got ${show(r.__version__)})`,
      );
    }
    return [r.__id__ as number, r.__version__ as number];
  });
  if (ids.length > 1) {
    const seen = new Set<number>();
    for (const [id] of ids) {
      if (seen.has(id)) throw new RangeError(`Cannot update: record ${id} is given twice`);
      seen.add(id);
    }
  }
  const out: Row[] = [];
  for (const [id, version] of ids) {
    const cur = await ws.get(id);
    if (!cur) throw new ConflictError(id, version, null, await ws.idUsed(id));
    if (cur[1] !== version) throw new ConflictError(id, version, cur[1] as number);
    if (version === Number.MAX_SAFE_INTEGER) {
      throw new RangeError(`Cannot update: record ${id} is at the last version, ${version}`);
    }
    const row = cur.slice();
    row[1] = version + 1;
    for (const [k, v] of given) row[k] = v;
    await ws.update(row);
    out.push(row);
  }
  return out;
}

/** Deletes the live records among the targets; returns how many. */
export async function deleteTargets(ws: WriteSet, target: unknown): Promise<number> {
  const ids = targetIds(target);
  let n = 0;
  for (const id of ids) {
    if (!(await ws.get(id))) continue;
    await ws.delete(id);
    n++;
  }
  return n;
}

/** The names of the fields `changes` sets (a field given as `undefined` is left out). */
export function changedNames(changes: unknown): string[] {
  return Object.entries(changes as object).filter(([, v]) => v !== undefined).map(([k]) => k);
}

/**
 * After a successful update, gives each record passed in what a read would
 * now return for the fields `changes` set (stored values decoded: a date cut to
 * its day, a link resolved to its record), and its new `__version__`. The
 * update is stored already, so this never throws: a link whose base cannot be
 * read now keeps the value given.
 */
export async function applyToCallers(
  records: unknown,
  rows: Row[],
  changes: unknown,
  read: { fields: readonly Field[]; toRecords: ToRecords },
): Promise<void> {
  const list = (Array.isArray(records) ? records : [records]) as Rec[];
  const fields = read.fields;
  const want = changedNames(changes).map((name) => fieldPosition(name, fields)![0]);
  const set = (rec: Rec, name: string, value: unknown) => {
    try {
      rec[name] = value;
    } catch {
      // A frozen record stays as it was; the base holds the new values.
    }
  };
  list.forEach((rec, i) => {
    set(rec, "__version__", rows[i][1]);
    for (const k of want) {
      if (fields[k - 2].type !== "link") {
        set(rec, fields[k - 2].name, decode(fields[k - 2], rows[i][k]));
      }
    }
  });
  const links = want.filter((k) => fields[k - 2].type === "link");
  if (!links.length) return;
  let now: Rec[] | undefined;
  try {
    now = await read.toRecords(rows, links, fields);
  } catch {
    // The linked base cannot be read now: the link holds the value given.
  }
  list.forEach((rec, i) => {
    for (const k of links) {
      const name = fields[k - 2].name;
      set(rec, name, now ? now[i][name] : (changes as Rec)[name]);
    }
  });
}

/** The record with `id`, or undefined. */
export async function getRecord(
  reader: Reader,
  id: unknown,
  toRecords: ToRecords,
): Promise<Rec | undefined> {
  checkId("get", id);
  const fields = reader.fields;
  const row = await reader.get(id as number);
  return row ? (await toRecords([row], wantOf("get", [], fields), fields))[0] : undefined;
}

/** Whether a live record has `id`. */
export async function hasRecord(reader: Reader, id: unknown): Promise<boolean> {
  checkId("has", id);
  return (await reader.get(id as number)) !== undefined;
}

/**
 * `select(fields, where, options)`, `find(where, options)`: the storage
 * answers object conditions, ordering and paging; a predicate is tested here
 * on whole records, before the paging.
 */
export async function selectRecords(
  reader: Reader,
  args: [unknown, unknown, unknown],
  toRecords: ToRecords,
  method: "select" | "find",
): Promise<ResultSet<Rec>> {
  const [names, where, options] = method === "select"
    ? selectArgs(...args)
    : [[] as string[], args[0], args[1]];
  const fields = reader.fields;
  const want = wantOf(method, names, fields);
  const { order, offset, limit } = queryOptions(method, options, fields);
  const predicate = typeof where === "function" ? where as (r: Rec) => boolean : undefined;
  const q: Query = {
    conds: predicate ? [] : compileWhere(where, fields, method),
    want: predicate ? wantOf(method, [], fields) : want,
    order,
    offset: predicate ? 0 : offset,
    limit: predicate ? undefined : limit,
  };
  const records = await toRecords(await reader.select(q), q.want, fields);
  const out = new ResultSet<Rec>();
  if (!predicate) {
    for (const r of records) out.push(r);
    return out;
  }
  const end = limit === undefined ? Infinity : offset + limit;
  let seen = 0;
  for (const r of records) {
    const ok: unknown = predicate(r);
    if (typeof (ok as { then?: unknown })?.then === "function") {
      throw new TypeError(
        `Cannot ${method}: the where function returned a promise (it must return true or false, not wait)`,
      );
    }
    if (!ok) continue;
    if (seen++ < offset) continue;
    if (seen > end) break;
    if (!names.length) out.push(r);
    else {
      const p: Rec = { __id__: r.__id__, __version__: r.__version__ };
      for (const n of names) p[n] = r[n];
      out.push(p);
    }
  }
  return out;
}

/** `count(where)`: how many live records match. */
export async function countRecords(
  reader: Reader,
  where: unknown,
  toRecords: ToRecords,
): Promise<number> {
  if (typeof where === "function") {
    return (await selectRecords(reader, [where, undefined, undefined], toRecords, "find")).length;
  }
  return await reader.count(compileWhere(where, reader.fields, "count"));
}
