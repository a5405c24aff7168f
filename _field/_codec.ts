// Copyright 2026 the psbase authors. MIT license.
// The interface every field type implements, one file per type in this folder
// (listed in ./_list.ts). What a type stores is numbered in FORMAT.md, F4 and F5.

/** A stored value: dates are epoch milliseconds, links the linked `__id__` (FORMAT.md, F5). */
export type Stored = string | number | boolean | null;

/** A row in memory: `[__id__, __version__, ...fields in schema order]`. */
export type Row = Stored[];

/** How a column is laid out in a data file (FORMAT.md, F4). */
export type Encoding = "f64" | "bool" | "str";

/** A field as the manifest holds it (FORMAT.md, F2). */
export interface Field {
  name: string;
  /** The field type's name: a key of the codec list (./_list.ts). */
  type: string;
  default: Stored;
  /** For links: the linked base's folder, relative to this base's folder. */
  base?: string;
}

/**
 * One field type: how a caller's value is checked and stored, and read back.
 * Implemented once per type (string.ts, int.ts, ...); everything else (the
 * schema, `where`, the data file, the log) asks the codec.
 */
export interface FieldCodec {
  /** The type's name, as schemas and the manifest spell it. */
  readonly name: string;
  /** The column layout in a data file (FORMAT.md, F4). */
  readonly encoding: Encoding;
  /** What a value must be, for error messages: "an int (a safe integer)". */
  readonly expects: string;
  /** Whether `[min, max]` ranges apply (the stored values order as the values do). */
  readonly ordered: boolean;
  /**
   * The stored form of a caller's non-null value, or `undefined` when the
   * value is not of this type (the caller then reports `expects`).
   */
  encode(value: unknown): Stored | undefined;
  /** The caller's value of a non-null stored value. */
  decode(stored: Stored): unknown;
  /** Whether a non-null value read from a file is a valid stored value of this type. */
  valid(stored: unknown): boolean;
}
