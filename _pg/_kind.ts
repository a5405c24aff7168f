// Copyright 2026 the psbase authors. MIT license.
// PostgreSQL tables as a kind of base (_table/_kind.ts): a base is named by
// its table, stored in `url`'s database, and locked by the database itself
// (each write set's advisory lock), so it has no `Access`.

import { LockTimeoutError } from "../_errors.ts";
import { show } from "../_show.ts";
import type { StorageDriver } from "../_storage/_types.ts";
import type { TableKind } from "../_table/_kind.ts";
import { META, NAME } from "./_sql.ts";

/** Bases whose writes take no lock: the tests' negative control only. */
const unlocked = new WeakSet<object>();

/**
 * Makes `base`'s writes take no advisory lock (tests only: the negative
 * control, which must then lose updates). Call before it is opened.
 */
export function unlockForTests<B extends object>(base: B): B {
  unlocked.add(base);
  return base;
}

/** `DATABASE_URL` from the environment, in Deno or Node. */
export function envUrl(): string | undefined {
  const g = globalThis as {
    Deno?: { env: { get(k: string): string | undefined } };
    process?: { env: { [k: string]: string | undefined } };
  };
  return g.Deno ? g.Deno.env.get("DATABASE_URL") : g.process?.env.DATABASE_URL;
}

/** Throws a TypeError unless `name` can name a base's table. */
export function checkTableName(name: string, what: string): string {
  if (!NAME.test(name) || name === META) {
    throw new TypeError(
      `Cannot ${what}: a table name is 1 to 63 letters, digits and _, not starting with a digit` +
        ` (and not ${META}), got ${show(name)}`,
    );
  }
  return name;
}

/** Bases stored as PostgreSQL tables (`PgBase`). */
export const pgKind: TableKind = {
  options: ["url", "timeoutMs"],
  check(o) {
    if (o.url !== undefined && (typeof o.url !== "string" || o.url === "")) {
      throw new TypeError(
        `Cannot make a PgBase: url must be a non-empty string, got ${show(o.url)}`,
      );
    }
    const t = o.timeoutMs;
    if (t !== undefined && (typeof t !== "number" || !(t >= 0))) {
      throw new RangeError(`Cannot make a PgBase: timeoutMs must be a number >= 0, got ${show(t)}`);
    }
  },
  name: (table) => checkTableName(table, "make a PgBase"),
  access(name, o) {
    const t = o.timeoutMs as number | undefined;
    const timeoutMs = t === Infinity ? undefined : t;
    return {
      // Bounds the wait behind this process's own writes too, as PsBase's does (L2).
      timeoutMs,
      // The table's lock is taken in the write's own transaction (_store.ts, timedLockSql).
      write: (body) => body(),
      timeout: () => new LockTimeoutError(name, timeoutMs!),
    };
  },
  async storage(_name, o, base) {
    const url = (o.url as string | undefined) ?? envUrl();
    if (!url) {
      throw new TypeError(
        "Cannot connect a PgBase: no url given and DATABASE_URL is not set (postgres://user@host/db)",
      );
    }
    const [{ Connection }, { pgDriver }] = await Promise.all([
      import("./_client.ts"),
      import("./_driver.ts"),
    ]);
    const t = o.timeoutMs as number | undefined;
    return {
      driver: pgDriver as StorageDriver<unknown>,
      options: {
        connection: new Connection(url),
        timeoutMs: t === Infinity ? undefined : t,
        lock: !unlocked.has(base),
      },
    };
  },
  links: {
    name(_from, to) {
      if (!NAME.test(to) || to === META) {
        throw new TypeError(`a PgBase links only to another PgBase, not to ${show(to)}`);
      }
      return to;
    },
    resolve: (_from, stored) => stored,
  },
};
