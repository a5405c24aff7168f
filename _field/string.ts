// Copyright 2026 the psbase authors. MIT license.
// The `string` field type (FORMAT.md, F4 `str`, F5).

import type { FieldCodec } from "./_codec.ts";

/**
 * Any well-formed string, stored as is (UTF-8 in a data file). A lone
 * surrogate has no UTF-8 form, so a string holding one is refused rather than
 * changed at the next checkpoint (FORMAT.md, F5).
 */
export const string: FieldCodec = {
  name: "string",
  encoding: "str",
  expects: "a string of well-formed UTF-16 (no lone surrogate)",
  ordered: true,
  encode: (v) => typeof v === "string" && wellFormed(v) ? v : undefined,
  decode: (s) => s,
  valid: (s) => typeof s === "string" && wellFormed(s),
};

/** Whether `s` has no lone surrogate (String.prototype.isWellFormed, where the runtime has it). */
function wellFormed(s: string): boolean {
  const native = (s as { isWellFormed?: () => boolean }).isWellFormed;
  if (native) return native.call(s);
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}
