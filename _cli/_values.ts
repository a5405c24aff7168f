// Copyright 2026 the psbase authors. MIT license.
// Values between stored form (FORMAT.md, F5) and text, both ways, for dump,
// import and where arguments: dates as ISO 8601 strings (a date as its UTC
// day, YYYY-MM-DD), links as the linked record's id, -0 kept as "-0", null
// as JSON null or an empty CSV cell.

import type { Field, Stored } from "../_field/_codec.ts";
import { codecOf } from "../_field/_list.ts";
import { show } from "../_show.ts";

/** What a field's text must be, for error messages. */
const EXPECTS: { [type: string]: string } = {
  string: "a string",
  int: "an integer from -(2^53 - 1) to 2^53 - 1",
  float: "a finite number",
  bool: "true or false",
  date: "a date as YYYY-MM-DD (a whole UTC day)",
  datetime: "a datetime in ISO 8601 with Z or an offset (2024-05-01T12:00:00.000Z)",
  link: "a link: the linked record's __id__ (an integer >= 1)",
};

/** What `field` takes, in words. */
export function expects(field: Field): string {
  return field.name === "__id__"
    ? "an __id__ (an integer >= 1)"
    : field.name === "__version__"
    ? "a __version__ (an integer >= 0)"
    : EXPECTS[field.type];
}

/** A stored number as text: -0 stays "-0" (JSON.stringify would drop the sign). */
function numberText(n: number): string {
  return Object.is(n, -0) ? "-0" : String(n);
}

/** The text of a date or datetime (epoch ms): ISO 8601, a date as its UTC day only. */
function dateText(type: string, ms: number): string {
  const iso = new Date(ms).toISOString();
  return type === "date" ? iso.slice(0, iso.indexOf("T")) : iso;
}

/** A stored value as JSON, for a JSON Lines dump. */
export function toJson(field: Field, v: Stored): string {
  if (v === null) return "null";
  switch (field.type) {
    case "string":
      return JSON.stringify(v);
    case "bool":
      return v ? "true" : "false";
    case "date":
    case "datetime":
      return `"${dateText(field.type, v as number)}"`;
    default:
      return numberText(v as number);
  }
}

/** A non-null stored value as text (a CSV cell before quoting). */
export function toText(field: Field, v: Exclude<Stored, null>): string {
  switch (field.type) {
    case "string":
      return v as string;
    case "bool":
      return v ? "true" : "false";
    case "date":
    case "datetime":
      return dateText(field.type, v as number);
    default:
      return numberText(v as number);
  }
}

const ISO =
  /^([+-]\d{6}|\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(?:\.\d{1,3})?)?(Z|[+-]\d\d:\d\d))?$/;

/** Epoch ms of an ISO 8601 date or datetime, or undefined (no calendar overflow: no Feb 30). */
function parseIso(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (!days || day < 1 || day > days) return undefined;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) {
    return undefined;
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Why a value cannot go into `field`, as the end of a message. */
function bad(field: Field, got: unknown): Error {
  // A JSON number beyond 2^53 arrives rounded: say so, or the value quoted looks like another.
  const rounded = typeof got === "number" && Number.isInteger(got) && !Number.isSafeInteger(got)
    ? " (as JSON reads it: an integer this large is rounded)"
    : "";
  return new TypeError(`expected ${expects(field)}, got ${JSON.stringify(got)}${rounded}`);
}

/** Checks a stored value against the field's type (and the id/version rules). */
function checked(field: Field, v: Stored, got: unknown): Stored {
  if (v === null) return null;
  if (field.name === "__id__" || field.name === "__version__") {
    const min = field.name === "__id__" ? 1 : 0;
    if (!Number.isSafeInteger(v) || (v as number) < min || Object.is(v, -0)) throw bad(field, got);
    return v;
  }
  if (!codecOf(field.type)!.valid(v)) throw bad(field, got);
  return v;
}

/** A string value, unless it holds a lone surrogate (which no stored string can: FORMAT.md, F5). */
function stringValue(field: Field, s: string): string {
  if (!codecOf("string")!.valid(s)) {
    throw new TypeError(
      `expected ${expects(field)} of well-formed UTF-16 (no lone surrogate), got ${show(s)}`,
    );
  }
  return s;
}

/**
 * A CSV cell or where-argument value as a stored value: `null` (an empty,
 * unquoted cell) is null; anything else, `""` (the empty string) included,
 * is parsed by the field's type. Throws a TypeError saying what was expected.
 */
export function fromText(field: Field, text: string | null): Stored {
  if (text === null) return null;
  switch (field.type) {
    case "string":
      return stringValue(field, text);
    case "bool":
      if (text === "true") return true;
      if (text === "false") return false;
      throw bad(field, text);
    case "date":
    case "datetime": {
      const ms = parseIso(text);
      if (ms === undefined) throw bad(field, text);
      return checked(field, ms, text);
    }
    default: {
      const re = field.type === "float" ? /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/ : /^[+-]?\d+$/;
      if (!re.test(text)) throw bad(field, text);
      return checked(field, Number(text), text);
    }
  }
}

/**
 * A value of a JSON Lines record as a stored value: JSON's own types for
 * strings, numbers and booleans; ISO 8601 strings for dates; ids for links.
 */
export function fromJson(field: Field, v: unknown): Stored {
  if (v === null) return null;
  switch (field.type) {
    case "string":
      if (typeof v !== "string") throw bad(field, v);
      return stringValue(field, v);
    case "bool":
      if (typeof v !== "boolean") throw bad(field, v);
      return v;
    case "date":
    case "datetime": {
      const ms = typeof v === "string" ? parseIso(v) : undefined;
      if (ms === undefined) throw bad(field, v);
      return checked(field, ms, v);
    }
    default:
      if (typeof v !== "number") throw bad(field, v);
      return checked(field, v, v);
  }
}
