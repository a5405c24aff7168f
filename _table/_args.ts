// Copyright 2026 the psbase authors. MIT license.
// Checking the arguments of the public methods, before anything is read or written.

import { show } from "../_show.ts";

/** True for a plain object (not an array, Date or RegExp). */
export function isPlainObject(v: unknown): v is { [k: string]: unknown } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) &&
    !(v instanceof RegExp);
}

/** Splits `select`'s overloaded arguments. */
export function selectArgs(a: unknown, b: unknown): [string[], unknown] {
  if (Array.isArray(a)) {
    for (const n of a) {
      if (typeof n !== "string") {
        throw new TypeError(`select: field names must be strings, got ${show(n)}`);
      }
    }
    return [a as string[], b];
  }
  if (typeof a === "string") {
    throw new TypeError(`select: fields are an array of names, like ["${a}"]; got ${show(a)}`);
  }
  if (b !== undefined) {
    throw new TypeError(
      `select: expected (fields, where) or (where), got a second argument ${show(b)}`,
    );
  }
  return [[], a];
}

/** Rejects options that are not objects or have keys no one reads (a typo). */
export function checkOptions(options: unknown, known: string[]): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`options must be an object, got ${show(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) {
      throw new TypeError(`Unknown option ${show(k)} (options: ${known.join(", ")})`);
    }
  }
}

export function checkId(id: unknown, what: string): void {
  if (!Number.isSafeInteger(id)) {
    throw new TypeError(`${what}: an __id__ is an integer, got ${show(id)}`);
  }
}

export function checkTargets(target: unknown): unknown[] {
  return Array.isArray(target) ? target : [target];
}
