// Copyright 2026 the psbase authors. MIT license.
// The `bool` field type (FORMAT.md, F4 `bool`, F5).

import type { FieldCodec } from "./_codec.ts";

/** `true` or `false`, one byte a row. */
export const bool: FieldCodec = {
  name: "bool",
  encoding: "bool",
  expects: "a bool",
  ordered: false,
  encode: (v) => typeof v === "boolean" ? v : undefined,
  decode: (s) => s,
  valid: (s) => typeof s === "boolean",
};
