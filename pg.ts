// Copyright 2026 the psbase authors. MIT license.
/**
 * `PgBase`: the same API, types and guarantees as `Base` and `PsBase`, on a
 * PostgreSQL table, for processes on many machines. A separate entry
 * (`@psbase/psbase/pg`, `psbase/pg` on npm), so that the core never loads a
 * database client; this one loads the `postgres` client from npm on first
 * open.
 *
 * Every write is one database transaction that first takes the table's
 * advisory lock (`pg_advisory_xact_lock`), so writers queue as they do on
 * `PsBase`'s file lock, across processes and hosts: `transaction(fn)` is
 * read-modify-write with no lost update. Reads outside a transaction read
 * committed state. `copyBase` moves a base between a folder and a table,
 * keeping ids and versions.
 *
 * ```ts ignore
 * import { PgBase } from "@psbase/psbase/pg";
 * await using db = await new PgBase("people", { url: "postgres://app@db.example/app" })
 *   .create({ name: "string", visits: "int" }, { mode: "open" });
 * await db.transaction(async (tx) => {
 *   const [ada] = await tx.find({ name: "Ada" });
 *   if (ada) await tx.update(ada, { visits: (ada.visits ?? 0) + 1 });
 * });
 * ```
 *
 * @module
 */

import type { Schema } from "./_types.ts";
import { registerKind } from "./_table/_kind.ts";
import { Base, type BaseOptions, type CreateOptions } from "./base.ts";
import { pgKind } from "./_pg/_kind.ts";
import { copy } from "./_pg/_copy.ts";

/**
 * Options of a `PgBase`.
 *
 * @example
 * ```ts
 * import type { PgBaseOptions } from "@psbase/psbase/pg";
 * const options: PgBaseOptions = { url: "postgres://app@localhost:5432/app", timeoutMs: 5000 };
 * ```
 */
export interface PgBaseOptions {
  /**
   * The database, as a `postgres://user:password@host:port/database` URL.
   * Default: the `DATABASE_URL` environment variable.
   */
  url?: string;
  /**
   * How long a write waits for the table's lock (held by a writer in any
   * process, on any host) before `LockTimeoutError`. Default: forever.
   */
  timeoutMs?: number;
}

/**
 * A base stored in a PostgreSQL table: `Base`'s API, types, errors and
 * guarantees, safe across processes and hosts. The table is named `table`;
 * its schema (field order, types, defaults, links, indexes) and next id are
 * kept in the table `psbase_meta` of the same database.
 *
 * @example
 * ```ts ignore
 * import { PgBase } from "@psbase/psbase/pg";
 * await using db = await new PgBase("jobs", { url: Deno.env.get("DATABASE_URL") })
 *   .create({ name: "string", runs: { type: "int", default: 0 } }, { mode: "open" });
 * await db.insert({ name: "nightly" });
 * await db.transaction(async (tx) => {
 *   const [job] = await tx.find({ name: "nightly" });
 *   await tx.update(job, { runs: job.runs! + 1 });
 * });
 * ```
 */
export class PgBase<S extends Schema = Schema> extends Base<S> {
  /**
   * A base in table `table` (1 to 63 letters, digits and `_`, not starting
   * with a digit) of the database at `options.url`; not opened or created
   * yet. Throws a TypeError for a bad name or option.
   *
   * @example
   * ```ts
   * import { PgBase } from "@psbase/psbase/pg";
   * const db = new PgBase("people", { url: "postgres://app@localhost/app" });
   * console.log(db.path, db.isOpen); // "people" false
   * ```
   */
  constructor(table: string, options: PgBaseOptions = {}) {
    super(table, options as BaseOptions);
  }

  /**
   * Like `Base.create`, typed for `PgBase`.
   *
   * @example
   * ```ts ignore
   * import { PgBase } from "@psbase/psbase/pg";
   * await using db = await new PgBase("b").create({ n: "int" }, { mode: "open" });
   * ```
   */
  override create<const S2 extends Schema>(
    schema: S2,
    options?: CreateOptions,
  ): Promise<PgBase<S2>> {
    // Every argument, as given: Base.create checks how many there are.
    void schema, options;
    return Base.prototype.create.apply(this, arguments as never) as unknown as Promise<
      PgBase<S2>
    >;
  }
}

registerKind(PgBase, pgKind);

/**
 * What `copyBase` copied.
 *
 * @example
 * ```ts
 * import type { CopyReport } from "@psbase/psbase/pg";
 * const report: CopyReport = { records: 5000, nextId: 5213 };
 * ```
 */
export interface CopyReport {
  /** Records copied. */
  records: number;
  /** The next `__id__` both bases give (ids are never reused, in either). */
  nextId: number;
}

/**
 * Options of `copyBase`.
 *
 * @example
 * ```ts
 * import type { CopyOptions } from "@psbase/psbase/pg";
 * const options: CopyOptions = { mode: "override" };
 * ```
 */
export interface CopyOptions {
  /** `"override"`: replace a base at `to`. Omitted: fail if one exists (`BaseExistsError`). */
  mode?: "override";
}

/**
 * Copies the base `from` into a new base `to`, of any kind: a folder
 * (`Base`, `PsBase`) into a table (`PgBase`) and back. Every record keeps
 * its `__id__` and `__version__`, and `to` gives the same next id as `from`
 * (ids are never reused in either). The schema comes along: field order,
 * types, defaults, indexes; a link field links to the base of the same last
 * name beside `to`, of `to`'s kind (a table for a folder `…/owners`, the
 * folder `<to's folder>/../owners` otherwise; a link of `from` to itself
 * links `to` to itself): copy linked bases too. All or nothing: with
 * `"override"`, a base at `to` that opens is replaced in one step, so a copy
 * that fails or is killed leaves it as it was; a new `to` is removed when the
 * copy fails. A record `to` cannot store is named by its `__id__`. Folders that are the same or nested are a `TypeError`.
 * `from` is read in one consistent read; each base is left as it was, open
 * or closed (one opened for the copy is closed again). Writes to `from`
 * during the copy are not copied.
 *
 * @example
 * ```ts ignore
 * import { PsBase } from "@psbase/psbase";
 * import { copyBase, PgBase } from "@psbase/psbase/pg";
 * const { records } = await copyBase(new PsBase("./data/people"), new PgBase("people"));
 * console.log(`${records} records moved`);
 * ```
 */
export async function copyBase(
  from: Base,
  to: Base,
  options?: CopyOptions,
): Promise<CopyReport> {
  if (!(from instanceof Base) || !(to instanceof Base)) {
    throw new TypeError("Cannot copy: from and to must be bases (Base, PsBase, PgBase)");
  }
  if (from === to || (from.constructor === to.constructor && from.path === to.path)) {
    throw new TypeError(`Cannot copy ${from.path} onto itself`);
  }
  const mode = options?.mode;
  if (mode !== undefined && mode !== "override") {
    throw new TypeError(`Cannot copy: mode must be "override" or omitted, got ${String(mode)}`);
  }
  return await copy(from, to, mode);
}
