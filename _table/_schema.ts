// Copyright 2026 the psbase authors. MIT license.
// Schemas: turning a caller's schema into the field list the manifest holds
// (FORMAT.md, F2), and a caller's values into stored values (F5), by asking
// each field type's codec (_field/).

import { path } from "../_path.ts";
import { show } from "../_show.ts";
import type { FieldSpec, Schema } from "../_types.ts";
import type { Field, Stored } from "../_field/_codec.ts";
import { codecOf } from "../_field/_list.ts";

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
      `Invalid field name ${show(name)}: use letters, digits and _, not starting with a digit`,
    );
  }
  if (name === "__id__" || name === "__version__") {
    throw new TypeError(`Field name ${show(name)} is reserved`);
  }
  return name;
}

/** Builds one field from a spec; `dir` is this base's folder (for links). */
export function makeField(name: string, spec: FieldSpec, dir: string): Field {
  checkName(name);
  let type: unknown = spec;
  let dflt: unknown = null;
  if (typeof spec === "object" && spec !== null && !linkPath(spec)) {
    if (!("type" in spec)) {
      throw new TypeError(`Field ${show(name)}: spec ${show(spec)} has no "type"`);
    }
    type = spec.type;
    dflt = spec.default ?? null;
  }
  let field: Field;
  const target = linkPath(type);
  if (target !== undefined) {
    field = { name, type: "link", default: null, base: path.relative(dir, target) || "." };
  } else if (typeof type === "string" && type !== "link" && codecOf(type)) {
    field = { name, type, default: null };
  } else {
    throw new TypeError(`Field ${show(name)}: unknown type ${show(type)} (use ${SCALARS})`);
  }
  field.default = encode(field, dflt);
  return field;
}

/** Builds the field list of a schema, rejecting any bad name, type or default. */
export function parseSchema(schema: Schema, dir: string): Field[] {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new TypeError(`Schema must be an object of field specs, got ${show(schema)}`);
  }
  const fields = Object.entries(schema).map(([name, spec]) => makeField(name, spec, dir));
  if (fields.length === 0) throw new TypeError("Schema must have at least one field");
  return fields;
}

/** Turns a caller's value into the stored value, or throws a TypeError naming the field. */
export function encode(field: Field, value: unknown): Stored {
  if (value === null || value === undefined) return null;
  const codec = codecOf(field.type)!;
  const stored = codec.encode(value);
  if (stored === undefined) {
    throw new TypeError(`Field ${show(field.name)} is ${codec.expects}; got ${show(value)}`);
  }
  return stored;
}

/** Turns a stored value into what callers see (links stay ids; the table resolves them). */
export function decode(field: Field, stored: Stored): unknown {
  return stored === null ? null : codecOf(field.type)!.decode(stored);
}
