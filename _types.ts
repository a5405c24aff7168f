// Copyright 2026 the psbase authors. MIT license.
// Public types, re-exported by mod.ts: the schema literal is the type of
// every record, value and condition.

/**
 * The value callers see for each scalar field type. A new field type adds a
 * line here (ARCHITECTURE.md).
 *
 * @example
 * ```ts
 * import type { FieldValues } from "@psbase/psbase";
 * const born: FieldValues["date"] = new Date("1815-12-10");
 * ```
 */
export interface FieldValues {
  /** Any string (well-formed UTF-16). */
  string: string;
  /** A safe integer. */
  int: number;
  /** A finite number. */
  float: number;
  /** `true` or `false`. */
  bool: boolean;
  /** A UTC day (the time of day is dropped). */
  date: Date;
  /** A point in time, to the millisecond. */
  datetime: Date;
}

/**
 * A base a link field points to: anything with the `get` of a `Base` (its
 * record type comes from there).
 *
 * @example
 * ```ts
 * import type { LinkTarget, RecordOf } from "@psbase/psbase";
 * type Owners = LinkTarget<RecordOf<{ name: "string" }>>;
 * ```
 */
export interface LinkTarget<R = unknown> {
  /** The linked base's location. */
  readonly path: string;
  /** Reads a record of the linked base. */
  get(id: number): Promise<R | undefined>;
}

/**
 * A field's type: a scalar type name, or a base for a link (the field holds a
 * record of that base).
 *
 * @example
 * ```ts
 * import type { FieldType } from "@psbase/psbase";
 * const t: FieldType = "datetime";
 * ```
 */
export type FieldType = keyof FieldValues | LinkTarget<unknown>;

/**
 * A field spec: a type, or a type with a default used when an insert leaves
 * the field out, and optionally an index (FORMAT.md, F7).
 *
 * @example
 * ```ts
 * import type { FieldSpec } from "@psbase/psbase";
 * const age: FieldSpec = { type: "int", default: 0, index: true };
 * ```
 */
export type FieldSpec = FieldType | {
  readonly type: FieldType;
  readonly default?: unknown;
  /** `true` (the field type's usual kind), `"hash"` or `"sorted"`. */
  readonly index?: boolean | "hash" | "sorted";
};

/**
 * A schema: field names to specs, in field order. Give it as a literal (or
 * `as const`) and every record, value and condition is typed from it.
 *
 * @example
 * ```ts
 * import type { Schema } from "@psbase/psbase";
 * const schema = { name: "string", age: { type: "int", default: 0 } } as const satisfies Schema;
 * ```
 */
export type Schema = { readonly [field: string]: FieldSpec };

/**
 * The field type a spec names: `"int"` for `"int"` and for `{ type: "int" }`.
 *
 * @example
 * ```ts
 * import type { FieldTypeOf } from "@psbase/psbase";
 * const t: FieldTypeOf<{ type: "int"; default: 0 }> = "int";
 * ```
 */
export type FieldTypeOf<Spec> = Spec extends { readonly type: infer U } ? U : Spec;

/**
 * What a field of type `T` reads back as: `FieldValues[T]`, or for a link
 * the linked base's record.
 *
 * @example
 * ```ts
 * import type { FieldValue } from "@psbase/psbase";
 * const d: FieldValue<"date"> = new Date();
 * ```
 */
export type FieldValue<T> = T extends keyof FieldValues ? FieldValues[T]
  : T extends LinkTarget<infer R> ? R
  : never;

/**
 * What a field of type `T` accepts: its value, or for a link a record of the
 * linked base or its `__id__`.
 *
 * @example
 * ```ts
 * import type { FieldInput } from "@psbase/psbase";
 * const n: FieldInput<"int"> = 3;
 * ```
 */
export type FieldInput<T> = T extends keyof FieldValues ? FieldValues[T]
  : T extends LinkTarget<infer R> ? R | { readonly __id__: number } | number
  : never;

/**
 * A record of a base with schema `S`: `__id__` (unique, never reused),
 * `__version__` (0, then +1 on every update) and the fields, each possibly
 * `null`. Link fields read back as the linked record. For a schema that is
 * not a literal, the fields are `unknown`.
 *
 * @example
 * ```ts
 * import type { RecordOf } from "@psbase/psbase";
 * type Person = RecordOf<{ name: "string"; age: { type: "int"; default: 0 } }>;
 * const p: Person = { __id__: 1, __version__: 0, name: "Ada", age: 36 };
 * ```
 */
export type RecordOf<S extends Schema = Schema> =
  & { __id__: number; __version__: number }
  & { -readonly [K in keyof S]: FieldValue<FieldTypeOf<S[K]>> | null };

/**
 * The values `insert` and `update` take: any of the schema's fields (the
 * others get their default, or `null`).
 *
 * @example
 * ```ts
 * import type { ValuesOf } from "@psbase/psbase";
 * const v: ValuesOf<{ name: "string"; age: "int" }> = { name: "Ada" };
 * ```
 */
export type ValuesOf<S extends Schema = Schema> = {
  -readonly [K in keyof S]?: FieldInput<FieldTypeOf<S[K]>> | null;
};

/** The names a field list or sort spec may use: the fields, `__id__` and `__version__`. */
export type FieldName<S extends Schema = Schema> = (keyof S & string) | "__id__" | "__version__";

/**
 * The conditions a field of type `T` takes in a `where` object: a value (or
 * `null`), `{ in: [...] }`, a `[min, max]` range on an ordered type, a
 * RegExp on a string.
 *
 * @example
 * ```ts
 * import type { FieldCondition } from "@psbase/psbase";
 * const c: FieldCondition<"int"> = [18, null];
 * ```
 */
export type FieldCondition<T> =
  | FieldInput<T>
  | null
  | { readonly in: readonly (FieldInput<T> | null)[] }
  | (T extends "string" | "int" | "float" | "date" | "datetime"
    ? readonly [FieldInput<T> | null, FieldInput<T> | null]
    : never)
  | (T extends "string" ? RegExp : never);

/**
 * A predicate on records, for `where`. Written as a method's type so that its
 * parameter is checked bivariantly: a typed base stays assignable to `Base`.
 *
 * @example
 * ```ts
 * import type { RecordPredicate } from "@psbase/psbase";
 * const odd: RecordPredicate<{ __id__: number }> = (r) => (r.__id__ & 1) === 1;
 * ```
 */
export type RecordPredicate<R> = { test(record: R): boolean }["test"];

/**
 * A selection: every key must hold (AND). `{ f: value }` equality (`null`
 * matches nulls); `{ f: { in: [a, b] } }` any of several values;
 * `{ f: [min, max] }` inclusive range on an ordered type (`null`: open);
 * `{ f: /re/ }` on strings; `{ f: record }` for links. Or a predicate on
 * whole records (filtered after reading, in JavaScript).
 *
 * @example
 * ```ts
 * import type { Where } from "@psbase/psbase";
 * type S = { name: "string"; age: "int" };
 * const adults: Where<S> = { age: [18, null], name: /^A/ };
 * const some: Where<S> = { name: { in: ["Ada", "Bo"] } };
 * const odd: Where<S> = (r) => (r.__id__ & 1) === 1;
 * ```
 */
export type Where<S extends Schema = Schema> =
  | (
    & { readonly [K in keyof S]?: FieldCondition<FieldTypeOf<S[K]>> }
    & { readonly __id__?: FieldCondition<"int">; readonly __version__?: FieldCondition<"int"> }
  )
  | RecordPredicate<RecordOf<S>>;

/**
 * Whether `S` is a sort spec over fields `K`: true when every key (after an
 * optional `+` or `-`, separated by spaces or by the next sign) names one of
 * `K`. Parsed one character at a time.
 *
 * @example
 * ```ts
 * import type { IsSortSpec } from "@psbase/psbase";
 * const ok: IsSortSpec<"-age +name", "age" | "name"> = true;
 * ```
 */
export type IsSortSpec<
  S extends string,
  K extends string,
  Cur extends string = "",
  Seen extends boolean = false,
  Sign extends boolean = false,
  Used extends string = never,
> = S extends `${infer C}${infer Rest}` ? C extends " " | "+" | "-" ? Cur extends ""
      // Between keys: spaces, and at most one sign before the next name.
      ? C extends " " ? IsSortSpec<Rest, K, "", Seen, Sign, Used>
      : Sign extends true ? false
      : IsSortSpec<Rest, K, "", Seen, true, Used>
      // A name ends: a field not named before.
    : Cur extends K ? [Cur] extends [Used] ? false
      : IsSortSpec<Rest, K, "", true, C extends " " ? false : true, Used | Cur>
    : false
  : IsSortSpec<Rest, K, `${Cur}${C}`, Seen, Sign, Used>
  : Cur extends "" ? Sign extends true ? false : Seen
  : Cur extends K ? [Cur] extends [Used] ? false : true
  : false;

/**
 * A sort spec over fields `K`: keys like `"+name -age"` (or Buzhug's
 * `"+name-age"`), `+` ascending (the default), `-` descending. Checked at
 * compile time when it is a literal.
 *
 * @example
 * ```ts
 * import type { SortSpec } from "@psbase/psbase";
 * const s: SortSpec<"-age +name", "name" | "age"> = "-age +name";
 * ```
 */
export type SortSpec<T extends string, K extends string> = string extends K ? T
  : string extends T ? T
  : IsSortSpec<T, K> extends true ? T
  : `unknown field or malformed key in sort spec: ${T}`;

/**
 * Options of `select` and `find`: order, then skip `offset` records, then
 * return at most `limit`.
 *
 * @example
 * ```ts
 * import type { QueryOptions } from "@psbase/psbase";
 * const page: QueryOptions = { orderBy: "-age +name", offset: 20, limit: 10 };
 * ```
 */
export interface QueryOptions<O extends string = string> {
  /** A sort spec (`"+name -age"`); default: `__id__` ascending. */
  orderBy?: O;
  /** Records to skip (after ordering). Default 0. */
  offset?: number;
  /** At most this many records. Default: all. */
  limit?: number;
}

/**
 * What the integrity check found (FORMAT.md, K): `ok` when there are no
 * problems; each problem and note names its file.
 *
 * @example
 * ```ts
 * import type { CheckReport } from "@psbase/psbase";
 * const r: CheckReport = { ok: true, problems: [], notes: [] };
 * ```
 */
export interface CheckReport {
  /** True when there are no problems (notes are fine). */
  ok: boolean;
  /** What is wrong, file by file. */
  problems: Array<{ file: string; detail: string }>;
  /** What is worth knowing but not wrong: strays, a torn tail, foreign files. */
  notes: Array<{ file: string; detail: string }>;
}

/**
 * A record (or what a field list selected of one): at least its `__id__` and
 * `__version__`, as `update` needs.
 *
 * @example
 * ```ts
 * import type { Versioned } from "@psbase/psbase";
 * const r: Versioned = { __id__: 1, __version__: 0 };
 * ```
 */
export type Versioned = { readonly __id__: number; readonly __version__: number };

/**
 * What `delete` takes: a record, an id, or an array of them.
 *
 * @example
 * ```ts
 * import type { Target } from "@psbase/psbase";
 * const t: Target = [1, { __id__: 2 }];
 * ```
 */
export type Target =
  | number
  | { readonly __id__: number }
  | ReadonlyArray<number | { readonly __id__: number }>;

/**
 * The records `select(fields)` returns: those fields, plus `__id__` and
 * `__version__`; an empty list selects every field.
 *
 * @example
 * ```ts
 * import type { Selected } from "@psbase/psbase";
 * type S = { name: "string"; age: "int" };
 * const r: Selected<S, ["name"]> = { __id__: 1, __version__: 0, name: "Ada" };
 * ```
 */
export type Selected<S extends Schema, F extends readonly string[]> = string extends keyof S
  ? RecordOf<S>
  : [F[number]] extends [never] ? RecordOf<S>
  : {
    [K in keyof RecordOf<S> as K extends F[number] | "__id__" | "__version__" ? K : never]:
      RecordOf<S>[K];
  };
