// Copyright 2026 the psbase authors. MIT license.
// Public types, re-exported by mod.ts.

import type { Base } from "./base.ts";

/**
 * A field's type: a scalar type name, or a `Base` instance for a link (the
 * field holds a record of that base).
 *
 * @example
 * ```ts
 * import type { FieldType } from "@psbase/psbase";
 * const t: FieldType = "datetime";
 * ```
 */
export type FieldType = "string" | "int" | "float" | "bool" | "date" | "datetime" | Base;

/**
 * A field spec: a type, or a type with a default used when an insert leaves
 * the field out.
 *
 * @example
 * ```ts
 * import type { FieldSpec } from "@psbase/psbase";
 * const age: FieldSpec = { type: "int", default: 0 };
 * ```
 */
export type FieldSpec = FieldType | { type: FieldType; default?: unknown };

/**
 * A schema: field names to specs, in field order.
 *
 * @example
 * ```ts
 * import type { Schema } from "@psbase/psbase";
 * const schema: Schema = { name: "string", age: { type: "int", default: 0 } };
 * ```
 */
export type Schema = { [field: string]: FieldSpec };

/**
 * A record: `__id__` (unique, never reused), `__version__` (0, then +1 on
 * every update) and the fields. Link fields read back as the linked record.
 *
 * @example
 * ```ts
 * import type { Record } from "@psbase/psbase";
 * const r: Record = { __id__: 1, __version__: 0, name: "Ada" };
 * ```
 */
export type Record = {
  __id__: number;
  __version__: number;
  [field: string]: unknown;
};

/**
 * A selection: every key must hold (AND). `{ f: value }` equality (`null`
 * matches nulls); `{ f: [min, max] }` inclusive range; `{ f: /re/ }` for
 * strings; `{ f: record }` for links. Or a predicate on whole records.
 *
 * @example
 * ```ts
 * import type { Where } from "@psbase/psbase";
 * const adults: Where = { age: [18, 200], name: /^A/ };
 * const odd: Where = (r) => (r.__id__ & 1) === 1;
 * ```
 */
export type Where =
  | { [field: string]: unknown }
  | ((record: Record) => boolean);
