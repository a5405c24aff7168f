// Copyright 2026 the psbase authors. MIT license.
// Fields: validation of schemas and values, and the mapping between the values
// callers see and the values stored (FORMAT.md, F2 and F5).

import { path } from "./_path.ts";
import type { FieldSpec, Schema } from "./_types.ts";

/** Marks a `Base` instance, so a schema can tell a link type from a spec object. */
export const kIsBase: unique symbol = Symbol.for("psbase.Base");

/** The stored kinds of field. */
export type Kind = "string" | "int" | "float" | "bool" | "date" | "datetime" | "link";

/** A stored value: dates are epoch milliseconds, links the linked `__id__`. */
export type Stored = string | number | boolean | null;

/** A field as the manifest holds it (FORMAT.md, F2). */
export interface Field {
  name: string;
  type: Kind;
  default: Stored;
  /** For links: the linked base's folder, relative to this base's folder. */
  base?: string;
}

/** A row in memory: `[__id__, __version__, ...fields in schema order]`. */
export type Row = Stored[];

const SCALARS = new Set(["string", "int", "float", "bool", "date", "datetime"]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DAY = 86_400_000;

/** Short, safe rendering of a value for error messages. */
export function show(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (value instanceof Date) return `Date(${value.getTime()})`;
  if (value instanceof RegExp) return String(value);
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "..." : value);
  }
  if (typeof value === "object") {
    try {
      const s = JSON.stringify(value);
      return s.length > 60 ? s.slice(0, 60) + "..." : s;
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return `${typeof value} ${String(value)}`;
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

/** A link target's folder, when `type` is a `Base`. */
function linkPath(type: unknown): string | undefined {
  if (typeof type === "object" && type !== null && (type as { [kIsBase]?: boolean })[kIsBase]) {
    return (type as { path: string }).path;
  }
  return undefined;
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
  } else if (typeof type === "string" && SCALARS.has(type)) {
    field = { name, type: type as Kind, default: null };
  } else {
    throw new TypeError(
      `Field ${show(name)}: unknown type ${
        show(type)
      } (use string, int, float, bool, date, datetime or a Base)`,
    );
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
  const bad = (want: string) =>
    new TypeError(`Field ${show(field.name)} is ${want}; got ${show(value)}`);
  switch (field.type) {
    case "string":
      if (typeof value !== "string") throw bad("a string");
      return value;
    case "int":
      if (!Number.isSafeInteger(value)) throw bad("an int (a safe integer)");
      return (value as number) + 0; // -0 is stored as 0 (the log is JSON)
    case "float":
      if (typeof value !== "number" || !Number.isFinite(value)) throw bad("a finite float");
      return value + 0; // -0 is stored as 0 (the log is JSON)
    case "bool":
      if (typeof value !== "boolean") throw bad("a bool");
      return value;
    case "date":
    case "datetime": {
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
        throw bad(`a ${field.type} (a valid Date)`);
      }
      const ms = value.getTime();
      return field.type === "date" ? Math.floor(ms / DAY) * DAY : ms;
    }
    case "link": {
      const id = typeof value === "object" ? (value as { __id__?: unknown }).__id__ : value;
      if (!Number.isSafeInteger(id) || (id as number) < 1) {
        throw bad("a link (a record of the linked base, or its __id__)");
      }
      return id as number;
    }
  }
}

/** Turns a stored value into what callers see (links stay ids; the base resolves them). */
export function decode(field: Field, stored: Stored): unknown {
  if (stored === null) return null;
  return field.type === "date" || field.type === "datetime" ? new Date(stored as number) : stored;
}
