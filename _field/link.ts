// Copyright 2026 the psbase authors. MIT license.
// The link field type: a field whose schema type is another base (FORMAT.md,
// F2 `base`, F5). The table layer resolves stored ids to the linked records.

import type { FieldCodec } from "./_codec.ts";

/** A record of the linked base (or its `__id__`), stored as that `__id__`. */
export const link: FieldCodec = {
  name: "link",
  encoding: "f64",
  expects: "a link (a record of the linked base, or its __id__)",
  ordered: false,
  encode: (v) => {
    const id = typeof v === "object" && v !== null ? (v as { __id__?: unknown }).__id__ : v;
    return Number.isSafeInteger(id) && (id as number) >= 1 ? id as number : undefined;
  },
  decode: (s) => s,
  valid: (s) => Number.isSafeInteger(s) && (s as number) >= 1,
};
