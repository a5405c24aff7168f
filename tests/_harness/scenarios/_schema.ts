// Copyright 2026 the psbase authors. MIT license.
/**
 * What every race scenario shares: the schema, seeding, and the wording of
 * lost-update reports.
 *
 * @module
 */

import type { Schema } from "../../../mod.ts";
import { sharedBase } from "../context.ts";

/** The schema every scenario uses. `a` and `b` are always written equal: a row with a != b is torn. */
export const SCHEMA: Schema = {
  key: "int",
  a: "int",
  b: "int",
  owner: "int",
  n: { type: "int", default: 0 },
  note: "string",
};

/** "N of those were" / "1 of those was", for the lost-update message. */
export function lostOf(acked: number, seen: number): string {
  const n = Math.max(0, acked - seen);
  return `${n} of those ${n === 1 ? "was" : "were"}`;
}

/** SCHEMA with persisted indexes: a sorted one on `key`, a hash one on `note` (FORMAT.md, F7). */
export const INDEXED_SCHEMA: Schema = {
  ...SCHEMA,
  key: { type: "int", index: "sorted" },
  note: { type: "string", index: "hash" },
};

/** Creates the base at `path` (PsBase, `schema`) and inserts `rows`; returns their ids. */
export async function seedRows(
  path: string,
  rows: Array<{ [k: string]: unknown }>,
  schema: Schema = SCHEMA,
): Promise<number[]> {
  const db = await (await sharedBase(path)).create<Schema>(schema);
  try {
    return rows.length ? await db.insertMany(rows) : [];
  } finally {
    await db.close();
  }
}

/** Records with this `key` or more were inserted by children. */
export const INSERTED_KEYS = 1_000_000;
