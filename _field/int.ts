// Copyright 2026 the psbase authors. MIT license.
// The `int` field type (FORMAT.md, F4 `f64`, F5).

import type { FieldCodec } from "./_codec.ts";

/** Any safe integer (−0 kept), stored as a float64. */
export const int: FieldCodec = {
  name: "int",
  encoding: "f64",
  expects: "an int (a safe integer)",
  ordered: true,
  encode: (v) => Number.isSafeInteger(v) ? v as number : undefined,
  decode: (s) => s,
  valid: (s) => Number.isSafeInteger(s),
};
