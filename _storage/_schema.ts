// Copyright 2026 the psbase authors. MIT license.
// A schema as a store keeps it in JSON (FORMAT.md, F2): the file store's
// manifest (_file/_manifest.ts) and the PostgreSQL store's `psbase_meta` row
// (_pg/_meta.ts) write their field and index lists the same way and check
// them the same way when they read them back; and the ids they give.

import type { Field, Stored } from "../_field/_codec.ts";
import { codecOf } from "../_field/_list.ts";
import type { IndexSpec } from "./_types.ts";

/**
 * The largest `__id__` a base gives: the next id after it, 2^53 − 1, is still
 * a safe integer (FORMAT.md, F2).
 */
export const LAST_ID = Number.MAX_SAFE_INTEGER - 1;

/** A field as JSON holds it: a numeric default of −0 is the string `"-0"` (FORMAT.md, F2). */
export type JsonField = Omit<Field, "default"> & { default: Stored };

/** What {@linkcode checkStoredSchema} needs besides the lists. */
export interface StoredSchemaOptions {
  /** The index kinds this store knows. */
  kinds: readonly string[];
  /** What a field name must match. */
  name: RegExp;
  /** The error for a damaged list, naming the file or row it came from. */
  bad: (detail: string) => Error;
}

/** `fields` as JSON holds them: JSON has no −0, so a default of −0 is written `"-0"` (F2). */
export function jsonFields(fields: readonly Field[]): JsonField[] {
  return fields.map((f) => Object.is(f.default, -0) ? { ...f, default: "-0" } : f);
}

/**
 * Checks a field and an index list read back from JSON (FORMAT.md, F2) and
 * returns them as a store holds them in memory (a `"-0"` default of a numeric
 * field is −0 again); throws `options.bad(detail)` at the first problem.
 */
export function checkStoredSchema(
  lists: { fields: unknown; indexes: unknown },
  options: StoredSchemaOptions,
): { fields: Field[]; indexes: IndexSpec[] } {
  const { bad } = options;
  const fields = lists.fields as JsonField[];
  if (!Array.isArray(fields) || fields.length === 0) throw bad("no fields");
  const names = new Set<string>();
  const out: Field[] = [];
  for (const f of fields) {
    const codec = typeof f?.type === "string" ? codecOf(f.type) : undefined;
    if (
      typeof f?.name !== "string" || !options.name.test(f.name) || f.name === "__id__" ||
      f.name === "__version__" || names.has(f.name)
    ) {
      throw bad(`bad field name ${JSON.stringify(f?.name)}`);
    }
    names.add(f.name);
    if (!codec) throw bad(`field ${f.name}: unknown type ${JSON.stringify(f.type)}`);
    const dflt = f.default === "-0" && codec.encoding === "f64" ? -0 : f.default;
    if (dflt !== null && !codec.valid(dflt)) {
      throw bad(`field ${f.name}: default ${JSON.stringify(f.default)} is not ${codec.expects}`);
    }
    if ((f.type === "link") !== (typeof f.base === "string")) {
      throw bad(`field ${f.name}: a link, and only a link, names a base`);
    }
    const keys = Object.keys(f).filter((k) => !["name", "type", "default", "base"].includes(k));
    if (keys.length) throw bad(`field ${f.name}: unknown key ${JSON.stringify(keys[0])}`);
    const field: Field = { name: f.name, type: f.type, default: dflt };
    if (f.type === "link") field.base = f.base;
    out.push(field);
  }
  const indexes = lists.indexes as IndexSpec[];
  if (!Array.isArray(indexes)) throw bad("no index list");
  const indexed = new Set<string>();
  for (const ix of indexes) {
    if (!names.has(ix?.field) || indexed.has(ix.field)) {
      throw bad(`bad index on ${JSON.stringify(ix?.field)}`);
    }
    indexed.add(ix.field);
    if (!options.kinds.includes(ix.kind)) {
      throw bad(`index on ${ix.field}: unknown kind ${JSON.stringify(ix.kind)}`);
    }
  }
  return { fields: out, indexes: indexes.map((ix) => ({ field: ix.field, kind: ix.kind })) };
}
