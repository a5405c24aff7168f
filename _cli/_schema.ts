// Copyright 2026 the psbase authors. MIT license.
// Schemas on the command line: the JSON form `info --json` prints and
// `import --schema` / `--schema-file` read back, and the short form
// `name:string,age:int`.
//
// JSON form: `{ "field": spec }` in field order, a spec being a type name or
// `{ "type", "default"?, "index"?, "base"? }`; a link is
// `{ "type": "link", "base": "<the linked base's folder>" }`; defaults are
// written as dump writes values (dates as ISO strings).

import type { Field } from "../_field/_codec.ts";
import { codecOf } from "../_field/_list.ts";
import { path } from "../_path.ts";
import type { IndexSpec } from "../_storage/_types.ts";
import type { FieldSpec, FieldType, Schema } from "../_types.ts";
import { Base } from "../base.ts";
import { fromJson, toJson } from "./_values.ts";

/** A field as the JSON form writes it. */
export interface FieldJson {
  type: string;
  default: unknown;
  index?: string;
  base?: string;
}

/** The JSON form of a base's schema; link bases absolute (resolved from `dir`). */
export function schemaJson(
  fields: readonly Field[],
  indexes: readonly IndexSpec[],
  dir: string,
): { [field: string]: FieldJson } {
  const out: { [field: string]: FieldJson } = {};
  for (const f of fields) {
    const spec: FieldJson = { type: f.type, default: JSON.parse(toJson(f, f.default)) };
    const ix = indexes.find((i) => i.field === f.name);
    if (ix) spec.index = ix.kind;
    if (f.base !== undefined) spec.base = path.resolve(dir, f.base);
    out[f.name] = spec;
  }
  return out;
}

/** Turns a stored default back into what a schema takes (a Date for dates). */
function defaultValue(field: Field, v: unknown): unknown {
  const stored = fromJson(field, v);
  if (stored === null) return null;
  return field.type === "date" || field.type === "datetime" ? new Date(stored as number) : stored;
}

/**
 * A schema from the command line: JSON (starting with `{`) or the short form
 * `field:type,...`. Link bases are resolved from the current directory.
 * Throws an Error saying what is wrong.
 */
export function parseSchemaText(text: string): Schema {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) {
    const out: { [field: string]: FieldSpec } = {};
    for (const part of trimmed.split(",")) {
      const m = /^\s*([^:\s]+)\s*:\s*(\w+)\s*$/.exec(part);
      if (!m) {
        throw new Error(
          `"${part}" is not field:type (types: string, int, float, bool, date, datetime)`,
        );
      }
      if (m[1] in out) throw new Error(`field "${m[1]}" is given twice`);
      if (!codecOf(m[2]) || m[2] === "link") {
        throw new Error(
          `field "${m[1]}": unknown type "${
            m[2]
          }" (types: string, int, float, bool, date, datetime;` +
            ` a link is { "type": "link", "base": "<folder>" } in the JSON form)`,
        );
      }
      out[m[1]] = m[2] as FieldSpec;
    }
    return out;
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch (e) {
    throw new Error(`not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new Error("the schema is a JSON object of field specs");
  }
  // The whole output of `info --json` works too: its schema is the `schema` member.
  const whole = json as { format?: unknown; schema?: unknown };
  if (typeof whole.format === "string" && typeof whole.schema === "object" && whole.schema) {
    json = whole.schema;
  }
  const out: { [field: string]: FieldSpec } = {};
  for (const [name, spec] of Object.entries(json as { [field: string]: unknown })) {
    if (typeof spec === "string") {
      out[name] = spec as FieldSpec;
      continue;
    }
    if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
      throw new Error(`field "${name}": a spec is a type name or { "type", "default", "index" }`);
    }
    const s = spec as { type?: unknown; default?: unknown; index?: unknown; base?: unknown };
    for (const k of Object.keys(s)) {
      if (!["type", "default", "index", "base"].includes(k)) {
        throw new Error(`field "${name}": unknown key "${k}" (keys: type, default, index, base)`);
      }
    }
    if (s.type === "link") {
      if (typeof s.base !== "string" || s.base === "") {
        throw new Error(`field "${name}": a link needs "base", the linked base's folder`);
      }
      out[name] = { type: new Base(path.resolve(s.base)), index: s.index as boolean };
      continue;
    }
    if (s.base !== undefined) throw new Error(`field "${name}": only a link has a "base"`);
    const codec = typeof s.type === "string" ? codecOf(s.type) : undefined;
    let dflt: unknown = null;
    if (codec && s.default !== undefined) {
      try {
        dflt = defaultValue({ name, type: s.type as string, default: null }, s.default);
      } catch (e) {
        throw new Error(`field "${name}": default ${(e as Error).message}`);
      }
    }
    out[name] = {
      type: s.type as FieldType,
      default: dflt,
      ...(s.index === undefined ? {} : { index: s.index as boolean }),
    };
  }
  return out;
}
