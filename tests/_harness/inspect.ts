// Copyright 2026 the psbase authors. MIT license.
/**
 * Reading a base back after a race: a fresh `PsBase` opens it and checks it
 * whole; plus the checks every scenario makes on its children's reports.
 *
 * @module
 */

import type { Base, RecordOf } from "../../mod.ts";
import { sharedBase } from "./context.ts";
import type { Anomalies } from "./anomalies.ts";
import type { ChildOutput } from "./child.ts";

/** A value's type check for each field type used here. */
function typeOk(type: string, v: unknown): boolean {
  if (v === null) return true;
  switch (type) {
    case "int":
      return Number.isSafeInteger(v);
    case "float":
      return typeof v === "number";
    case "string":
      return typeof v === "string";
    case "bool":
      return typeof v === "boolean";
    case "date":
    case "datetime":
      return v instanceof Date && !Number.isNaN(v.getTime());
    default:
      return true;
  }
}

/** The live records of a base as it reads back, and what the reading found wrong. */
export interface Inspection {
  records: RecordOf[];
  byId: Map<number, RecordOf>;
  count: number;
}

/**
 * Opens the base at `path` with a fresh `PsBase` (a `PgBase` for `pg:<table>`) and checks it whole:
 * `count()` equals the records iterated, no id is duplicated, every record
 * decodes to its field types, `get(id)` and `has(id)` agree with the
 * iteration, and `select()` returns the same records. Problems go to `found`.
 * Returns the records (empty if the base cannot be read at all).
 */
export async function inspectBase(path: string, found: Anomalies): Promise<Inspection> {
  const out: Inspection = { records: [], byId: new Map(), count: 0 };
  let db: Base | undefined;
  try {
    db = await (await sharedBase(path)).open();
    const schema = db.schema;
    out.count = await db.count();
    for await (const r of db) out.records.push(r);
    if (out.count !== out.records.length) {
      found.add(
        "countMismatch",
        1,
        `count() = ${out.count} but iteration yielded ${out.records.length}`,
      );
    }
    const selected = await db.select();
    if (selected.length !== out.records.length) {
      found.add(
        "countMismatch",
        1,
        `select() gave ${selected.length} records, iteration ${out.records.length}`,
      );
    }
    for (const r of out.records) {
      if (out.byId.has(r.__id__)) {
        found.add("duplicateIds", 1, `id ${r.__id__} iterated twice`);
        continue;
      }
      out.byId.set(r.__id__, r);
      if (!Number.isSafeInteger(r.__version__) || r.__version__ < 0) {
        found.add("undecodable", 1, `record ${r.__id__} has __version__ ${r.__version__}`);
      }
      const bad = Object.entries(schema).filter(([name, spec]) =>
        !(name in r) || !typeOk(spec.type, r[name])
      );
      if (bad.length) {
        found.add(
          "undecodable",
          1,
          `record ${r.__id__} has ${
            bad.map(([n]) => `${n}=${JSON.stringify(r[n])}`).join(", ")
          } (schema ${JSON.stringify(schema)})`,
        );
      }
      if (r.a !== r.b) {
        found.add("damagedRecords", 1, `record ${r.__id__} is torn: a=${r.a} b=${r.b}`);
      }
    }
    for (const [id, r] of out.byId) {
      const g = await db.get(id);
      if (JSON.stringify(g) !== JSON.stringify(r)) {
        found.add(
          "undecodable",
          1,
          `get(${id}) = ${JSON.stringify(g)} but iteration gave ${JSON.stringify(r)}`,
        );
      }
    }
    const sel = new Map(selected.map((r) => [r.__id__, r]));
    for (const [id, r] of out.byId) {
      if (JSON.stringify(sel.get(id)) !== JSON.stringify(r)) {
        found.add("undecodable", 1, `select() and iteration disagree on record ${id}`);
      }
    }
    await checkIndexes(db, out.records, found);
  } catch (e) {
    const err = e as Error;
    found.add("undecodable", 1, `reading the base failed: ${err.name}: ${err.message}`);
  } finally {
    await db?.close();
  }
  return out;
}

/** The most values of one indexed field that {@linkcode checkIndexes} looks up. */
const INDEX_PROBES = 64;

/**
 * For each indexed field, finds records by value through the index (up to
 * {@linkcode INDEX_PROBES} of its distinct values, evenly spread, and null)
 * and compares the ids with those of the records iterated: an index that
 * missed a write, kept a deleted record or points at the wrong row shows here.
 */
async function checkIndexes(db: Base, records: RecordOf[], found: Anomalies): Promise<void> {
  for (const [name, spec] of Object.entries(db.schema)) {
    if (!spec.index) continue;
    const byValue = new Map<string, { value: unknown; ids: number[] }>();
    for (const r of records) {
      const v = r[name];
      const key = v instanceof Date ? `d${v.getTime()}` : JSON.stringify(v ?? null);
      const slot = byValue.get(key) ?? { value: v ?? null, ids: [] };
      slot.ids.push(r.__id__);
      byValue.set(key, slot);
    }
    const slots = [...byValue.values()];
    const step = Math.max(1, Math.ceil(slots.length / INDEX_PROBES));
    const probes = slots.filter((s, i) => i % step === 0 || s.value === null);
    for (const { value, ids } of probes) {
      const got = new Set((await db.find({ [name]: value })).map((r) => r.__id__));
      const missing = ids.filter((id) => !got.has(id));
      const want = new Set(ids);
      const extra = [...got].filter((id) => !want.has(id));
      if (missing.length || extra.length) {
        found.add(
          "damagedRecords",
          1,
          `find({ ${name}: ${JSON.stringify(value)} }) through its index: ${got.size} ids, ` +
            `iteration ${ids.length}; missing [${missing.slice(0, 10).join(", ")}], ` +
            `extra [${extra.slice(0, 10).join(", ")}]`,
        );
      }
    }
  }
}

/** Adds every failed child to `found`. */
export function childErrors(outputs: ChildOutput[], found: Anomalies): void {
  for (const o of outputs) {
    if (!o.ok) found.add("childErrors", 1, `process ${o.index}: ${o.error}`);
  }
}

/** Adds ids reported by several children (or twice by one) to `found` as duplicates. */
export function reportedIdDuplicates(
  outputs: ChildOutput[],
  field: string,
  found: Anomalies,
): Map<number, number> {
  const owner = new Map<number, number>();
  let dups = 0;
  for (const o of outputs) {
    for (const id of (o.data[field] as number[] | undefined) ?? []) {
      if (owner.has(id)) {
        dups++;
        if (dups <= 5) {
          found.add(
            "duplicateIds",
            1,
            `id ${id} was returned to process ${owner.get(id)} and to process ${o.index}`,
          );
        }
      } else owner.set(id, o.index);
    }
  }
  if (dups > 5) found.add("duplicateIds", dups - 5, `${dups - 5} more ids handed out twice`);
  return owner;
}
