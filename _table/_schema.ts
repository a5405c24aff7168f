// Copyright 2026 the psbase authors. MIT license.
// Schemas: turning a caller's schema into the field list the manifest holds
// (FORMAT.md, F2), and a caller's values into stored values (F5), by asking
// each field type's codec (_field/).

import { path } from "../_path.ts";
import { show } from "../_show.ts";
import type { FieldSpec, Schema } from "../_types.ts";
import type { Field, Stored } from "../_field/_codec.ts";
import { codecOf } from "../_field/_list.ts";
import type { IndexSpec } from "../_storage/_types.ts";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SCALARS = "string, int, float, bool, date, datetime or a Base";

/** Every `Base` made, so a schema can tell a link (a base) from a spec object. */
const bases = new WeakSet<object>();

/** Marks `base` as a base (called by the `Base` constructor). */
export function markBase(base: object): void {
  bases.add(base);
}

/** A link target's folder, when `type` is a base. */
function linkPath(type: unknown): string | undefined {
  if (typeof type === "object" && type !== null && bases.has(type)) {
    return (type as { path: string }).path;
  }
  return undefined;
}

/** Throws unless `name` is a valid, non-reserved field name. */
export function checkName(name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new TypeError(
      `invalid field name ${show(name)}: use letters, digits and _, not starting with a digit`,
    );
  }
  if (name === "__id__" || name === "__version__") {
    throw new TypeError(`field name ${show(name)} is reserved`);
  }
  return name;
}

/**
 * Builds one field from a spec; `dir` is this base's folder (for links).
 * `linkName` names a linked base as the field stores it (default: its folder
 * relative to `dir`; a `PgBase` stores a table's name).
 */
export function makeField(
  name: string,
  spec: FieldSpec,
  dir: string,
  linkName?: (target: string) => string,
): Field {
  checkName(name);
  let type: unknown = spec;
  let dflt: unknown = null;
  if (typeof spec === "object" && spec !== null && !linkPath(spec)) {
    if (!("type" in spec)) {
      throw new TypeError(`field ${show(name)}: spec ${show(spec)} has no "type"`);
    }
    for (const k of Object.keys(spec)) {
      if (k !== "type" && k !== "default" && k !== "index") {
        throw new TypeError(
          `field ${show(name)}: unknown key ${show(k)} in its spec (keys: type, default, index)`,
        );
      }
    }
    type = spec.type;
    dflt = spec.default ?? null;
  }
  let field: Field;
  const target = linkPath(type);
  if (target !== undefined) {
    const base = linkName ? linkName(target) : path.relative(dir, target) || ".";
    field = { name, type: "link", default: null, base };
  } else if (typeof type === "string" && type !== "link" && codecOf(type)) {
    field = { name, type, default: null };
  } else {
    throw new TypeError(`field ${show(name)}: unknown type ${show(type)} (use ${SCALARS})`);
  }
  field.default = encode(field, dflt);
  return field;
}

/** The index a field spec asks for (`index: true`: hash for strings, sorted for the rest). */
export function indexFor(field: Field, index: unknown): IndexSpec | undefined {
  if (index === undefined || index === false) return undefined;
  if (index === true) {
    return { field: field.name, kind: field.type === "string" ? "hash" : "sorted" };
  }
  if (index === "hash" || index === "sorted") return { field: field.name, kind: index };
  throw new TypeError(
    `field ${show(field.name)}: index must be true, false, "hash" or "sorted", got ${show(index)}`,
  );
}

/** The indexes a schema's specs ask for, in field order. */
export function indexesOf(schema: Schema, fields: Field[]): IndexSpec[] {
  const out: IndexSpec[] = [];
  for (const f of fields) {
    const spec = schema[f.name];
    const ix = typeof spec === "object" && spec !== null && "type" in spec
      ? indexFor(f, (spec as { index?: unknown }).index)
      : undefined;
    if (ix) out.push(ix);
  }
  return out;
}

/**
 * What differs between a stored schema and a wanted one, as sentences
 * (`create(schema, { mode: "open" })` on an existing base).
 */
export function schemaDifferences(
  have: readonly Field[],
  haveIndexes: readonly IndexSpec[],
  want: readonly Field[],
  wantIndexes: readonly IndexSpec[],
): string[] {
  const out: string[] = [];
  const byName = new Map(have.map((f) => [f.name, f]));
  for (const w of want) {
    const h = byName.get(w.name);
    if (!h) {
      out.push(`field ${show(w.name)} is not in the base`);
      continue;
    }
    if (h.type !== w.type) {
      out.push(`field ${show(w.name)} is ${h.type} in the base, ${w.type} here`);
    } else if (h.type === "link" && h.base !== w.base) {
      out.push(`field ${show(w.name)} links to ${h.base} in the base, ${w.base} here`);
    } else if (!Object.is(h.default, w.default)) {
      out.push(
        `field ${show(w.name)} defaults to ${show(h.default)} in the base, ${show(w.default)} here`,
      );
    }
    const hi = haveIndexes.find((i) => i.field === w.name)?.kind ?? "none";
    const wi = wantIndexes.find((i) => i.field === w.name)?.kind ?? "none";
    if (hi !== wi) out.push(`field ${show(w.name)} has index ${hi} in the base, ${wi} here`);
  }
  for (const h of have) {
    if (!want.some((w) => w.name === h.name)) out.push(`the base has field ${show(h.name)} too`);
  }
  if (!out.length && have.some((h, j) => h.name !== want[j]?.name)) {
    out.push(
      `the fields are in another order (the base: ${have.map((f) => f.name).join(", ")})`,
    );
  }
  return out;
}

/** Builds the field list of a schema, rejecting any bad name, type or default. */
export function parseSchema(
  schema: Schema,
  dir: string,
  linkName?: (target: string) => string,
): Field[] {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new TypeError(`the schema must be an object of field specs, got ${show(schema)}`);
  }
  const fields = Object.entries(schema).map(([name, spec]) => makeField(name, spec, dir, linkName));
  if (fields.length === 0) throw new TypeError("the schema must have at least one field");
  return fields;
}

/** Turns a caller's value into the stored value, or throws a TypeError naming the field. */
export function encode(field: Field, value: unknown): Stored {
  if (value === null || value === undefined) return null;
  const codec = codecOf(field.type)!;
  const stored = codec.encode(value);
  if (stored === undefined) {
    throw new TypeError(`field ${show(field.name)} must be ${codec.expects}, got ${show(value)}`);
  }
  return stored;
}

/** Turns a stored value into what callers see (links stay ids; the table resolves them). */
export function decode(field: Field, stored: Stored): unknown {
  return stored === null ? null : codecOf(field.type)!.decode(stored);
}
