// Copyright 2026 the psbase authors. MIT license.
// The `datetime` field type (FORMAT.md, F4 `f64`, F5).

import type { FieldCodec } from "./_codec.ts";

/** A `Date`, stored as epoch milliseconds. */
export const datetime: FieldCodec = {
  name: "datetime",
  encoding: "f64",
  expects: "a datetime (a valid Date)",
  ordered: true,
  encode: (v) => v instanceof Date && !Number.isNaN(v.getTime()) ? v.getTime() : undefined,
  decode: (s) => new Date(s as number),
  valid: (s) => Number.isSafeInteger(s) && Math.abs(s as number) <= 8.64e15,
};
