// Copyright 2026 the psbase authors. MIT license.
/**
 * psbase: a typed, embedded table that many processes on one machine share
 * safely, with no server and no SQL.
 *
 * ```ts
 * import { PsBase } from "@psbase/psbase";
 * const dir = await Deno.makeTempDir();
 * await using db = await new PsBase(dir + "/people").create({ name: "string", age: "int" });
 * await db.insert({ name: "Ada", age: 36 });
 * console.log(await db.count()); // 1
 * ```
 *
 * @module
 */

export {
  type AddFieldOptions,
  Base,
  type BaseOptions,
  type CreateOptions,
  type FieldInfo,
  type IndexOptions,
  ResultSet,
} from "./base.ts";
export { PsBase, type PsBaseOptions } from "./ps_base.ts";
export type { Transaction } from "./_transaction.ts";
export { type LockHandle, type LockOptions, PsLock } from "./lock.ts";
export {
  BaseChangedError,
  BaseExistsError,
  BaseNotFoundError,
  ConflictError,
  CorruptionError,
  LockTimeoutError,
  TransactionError,
} from "./_errors.ts";
export type {
  CheckReport,
  FieldCondition,
  FieldInput,
  FieldName,
  FieldSpec,
  FieldType,
  FieldTypeOf,
  FieldValue,
  FieldValues,
  IsSortSpec,
  LinkTarget,
  QueryOptions,
  RecordOf,
  RecordPredicate,
  Schema,
  Selected,
  SortSpec,
  Target,
  ValuesOf,
  Versioned,
  Where,
} from "./_types.ts";
