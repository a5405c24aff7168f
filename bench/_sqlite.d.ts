// Copyright 2026 the psbase authors. MIT license.
// The part of `node:sqlite` the benchmarks use. The project's @types/node
// (20.x) predates node:sqlite, so these declarations stand in for it.

declare module "node:sqlite" {
  /** A value SQLite binds or returns. */
  export type SQLInputValue = null | number | bigint | string | Uint8Array;

  /** What `StatementSync.run` returns. */
  export interface StatementResultingChanges {
    changes: number | bigint;
    lastInsertRowid: number | bigint;
  }

  /** A prepared statement. */
  export class StatementSync {
    run(...params: SQLInputValue[]): StatementResultingChanges;
    get(...params: SQLInputValue[]): unknown;
    all(...params: SQLInputValue[]): unknown[];
    iterate(...params: SQLInputValue[]): IterableIterator<unknown>;
  }

  /** A connection to a SQLite file. */
  export class DatabaseSync {
    constructor(path: string, options?: { open?: boolean; readOnly?: boolean; timeout?: number });
    exec(sql: string): void;
    prepare(sql: string): StatementSync;
    close(): void;
  }
}
