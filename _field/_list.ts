// Copyright 2026 the psbase authors. MIT license.
// Every field type, by the name schemas and the manifest use. A new type is
// one file in this folder and one line here (ARCHITECTURE.md walks through it).

import type { FieldCodec } from "./_codec.ts";
import { bool } from "./bool.ts";
import { date } from "./date.ts";
import { datetime } from "./datetime.ts";
import { float } from "./float.ts";
import { int } from "./int.ts";
import { link } from "./link.ts";
import { string } from "./string.ts";

/** The field types a schema may name (`link` is named by giving a base instead). */
export const CODECS: { readonly [name: string]: FieldCodec } = {
  string,
  int,
  float,
  bool,
  date,
  datetime,
  link,
};

/** The codec of a field type name, or undefined. */
export function codecOf(type: string): FieldCodec | undefined {
  return Object.hasOwn(CODECS, type) ? CODECS[type] : undefined;
}
