// Copyright 2026 the psbase authors. MIT license.
// Checking how many arguments and which options a public method got: none is
// ever silently ignored. Messages read "Cannot <method>: <why>".

import { show } from "./_show.ts";

/** True for a plain object: `{...}` or `Object.create(null)` (not a Map, Date, array...). */
export function isPlainObject(v: unknown): v is { [k: string]: unknown } {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Throws when a method got more arguments than it reads: none is silently ignored. */
export function checkArity(method: string, got: number, names: string[]): void {
  if (got > names.length) {
    throw new TypeError(
      `Cannot ${method}: it takes at most ${names.length} argument${
        names.length === 1 ? "" : "s"
      } (${names.join(", ")}), got ${got}`,
    );
  }
}

/** Throws unless `options` is undefined or a plain object with only `known` keys. */
export function checkOptions(method: string, options: unknown, known: string[]): void {
  if (options === undefined) return;
  if (!isPlainObject(options)) {
    throw new TypeError(`Cannot ${method}: options must be an object, got ${show(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) {
      throw new TypeError(
        `Cannot ${method}: unknown option ${show(k)} (options: ${known.join(", ") || "none"})`,
      );
    }
  }
}
