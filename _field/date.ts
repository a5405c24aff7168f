// Copyright 2026 the psbase authors. MIT license.
// The `date` field type (FORMAT.md, F4 `f64`, F5).

import type { FieldCodec } from "./_codec.ts";

const DAY = 86_400_000;

/** A `Date`, stored as epoch milliseconds truncated to the UTC day. */
export const date: FieldCodec = {
  name: "date",
  encoding: "f64",
  expects: "a date (a valid Date)",
  ordered: true,
  encode: (v) =>
    v instanceof Date && !Number.isNaN(v.getTime())
      ? Math.floor(v.getTime() / DAY) * DAY
      : undefined,
  decode: (s) => new Date(s as number),
  valid: (s) => Number.isSafeInteger(s) && (s as number) % DAY === 0,
};
