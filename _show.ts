// Copyright 2026 the psbase authors. MIT license.
// The one way every error message shows a value.

/** A short, safe rendering of a value for error messages. */
export function show(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (value instanceof Date) return `Date(${value.getTime()})`;
  if (value instanceof RegExp) return String(value);
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "..." : value);
  }
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (value instanceof Map) return `a Map of ${value.size}`; // JSON would show {}
  if (value instanceof Set) return `a Set of ${value.size}`;
  if (typeof value === "object") {
    try {
      const s = JSON.stringify(value);
      if (s === undefined) return Object.prototype.toString.call(value);
      return s.length > 60 ? s.slice(0, 60) + "..." : s;
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return `${typeof value} ${String(value)}`;
}
