// Copyright 2026 the psbase authors. MIT license.
// The `float` field type (FORMAT.md, F4 `f64`, F5).

import type { FieldCodec } from "./_codec.ts";

/** Any finite number (−0 kept), stored as a float64. */
export const float: FieldCodec = {
  name: "float",
  encoding: "f64",
  expects: "a finite float",
  ordered: true,
  encode: (v) => typeof v === "number" && Number.isFinite(v) ? v : undefined,
  decode: (s) => s,
  valid: (s) => typeof s === "number" && Number.isFinite(s),
};
