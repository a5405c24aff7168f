// Copyright 2026 the psbase authors. MIT license.
// The `string` field type (FORMAT.md, F4 `str`, F5).

import type { FieldCodec } from "./_codec.ts";

/** Any string, stored as is (UTF-8 in a data file). */
export const string: FieldCodec = {
  name: "string",
  encoding: "str",
  expects: "a string",
  ordered: true,
  encode: (v) => typeof v === "string" ? v : undefined,
  decode: (s) => s,
  valid: (s) => typeof s === "string",
};
