// Copyright 2026 the psbase authors. MIT license.
// The connections of one PgBase, through the `postgres` client from npm.
// Two sessions at most, each opened on first use: the main one (reads,
// write sets, schema changes) and a second one for reads made while the main
// one holds a write set, which must see committed state only (FORMAT.md,
// R5). A short-lived process that reads and writes in turn opens one.

// A full npm: specifier, not the import map's "postgres": `deno publish` would rewrite a bare one
// in the uploaded file (the JSR test checks every uploaded byte against the checkout); `deno pack`
// writes "postgres" for Node. Keep the range equal to deno.json's.
// deno-lint-ignore no-import-prefix
import postgres from "npm:postgres@^3.4.9";

/** What a query returns: its rows as arrays, or one such list per statement. */
type Rows = unknown[][];

/** The part of a `postgres` client used here. */
interface Session {
  unsafe(query: string): { values(): Promise<Rows | Rows[]> };
  end(options?: { timeout?: number }): Promise<void>;
}

/** A PostgreSQL error as the client reports it: `code` is the SQLSTATE. */
export interface PgError extends Error {
  code?: string;
}

/** The SQLSTATE of an error from PostgreSQL (or a client error code), if any. */
export function sqlState(e: unknown): string | undefined {
  return (e as PgError)?.code;
}

/** A statement that returns rows (every other statement psbase sends returns none). */
const ROWS = /^\s*(SELECT|WITH)\b/i;

function session(url: string): Session {
  return postgres(
    url,
    {
      max: 1, // one session: explicit BEGIN ... COMMIT is safe on it
      prepare: false,
      fetch_types: false, // one round trip less at connect; no array types are used
      max_lifetime: 0, // never recycled under a write set (the client's default is 30-60 min)
      onnotice: () => {},
      connection: { application_name: "psbase" },
      types: {
        // int8 (ids, versions, dates, links: safe integers) as numbers, not strings.
        int8: { to: 20, from: [20], serialize: (v: number) => String(v), parse: Number },
      },
    } as unknown as Parameters<typeof postgres>[1],
  ) as unknown as Session;
}

/** Where `url` points, without the password: for error messages. */
export function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? ":" + u.port : ""}${u.pathname}`;
  } catch {
    return "the server";
  }
}

/** The sessions of one base, opened on first use, ended when the base is done with them. */
export class Connection {
  readonly url: string;
  #main: Session | undefined;
  #second: Session | undefined;
  #held = 0;
  #busy = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(url: string) {
    this.url = url;
  }

  /**
   * Runs `statements` as one query (one round trip; several statements run as
   * one implicit transaction unless they hold BEGIN). Returns the rows of
   * each statement that returns rows (SELECT, WITH), in order. `second`: on
   * the second session (a read during a write set).
   */
  async run(statements: string[], second = false): Promise<Rows[]> {
    clearTimeout(this.#timer);
    const s = second ? this.#second ??= session(this.url) : this.#main ??= session(this.url);
    try {
      const out = await s.unsafe(statements.join(";\n")).values();
      // The client starts a new result at each statement that returns rows;
      // the others merge into the one before (or into a first result of their
      // own when they come first). So the last results are those of the
      // statements that return rows, one each.
      const results = "command" in out ? [out as Rows] : out as Rows[];
      const k = statements.filter((st) => ROWS.test(st)).length;
      return k ? results.slice(-k) : [];
    } catch (e) {
      if ((e as Error)?.name !== "PostgresError") {
        // The session is broken (the server ended it, the network failed):
        // the client would wait on it forever, so drop it; the next call opens
        // a new one (where a write set's guard then fails: see _store.ts).
        if (second) this.#second = undefined;
        else this.#main = undefined;
        void s.end({ timeout: 0 }).catch(() => {});
      }
      throw connectError(e, this.url);
    } finally {
      this.#idle();
    }
  }

  /** Runs `statements` on the main session, or the second one while a write set holds the main. */
  read(statements: string[]): Promise<Rows[]> {
    return this.run(statements, this.#busy);
  }

  /** Marks the main session as holding a write set (reads go to the second) or not. */
  set busy(on: boolean) {
    this.#busy = on;
  }

  /** An open storage keeps the sessions until `release`. */
  hold(): void {
    this.#held++;
    clearTimeout(this.#timer);
  }

  /** The storage is closed: ends the sessions once nothing else uses them. */
  async release(): Promise<void> {
    if (this.#held > 0) this.#held--;
    if (this.#held === 0) await this.end();
  }

  /**
   * Unheld sessions (a driver call with no storage open: exists, check,
   * destroy) end at the next turn of the event loop, unless another call
   * comes first (as `create()` makes several in a row).
   */
  #idle(): void {
    if (this.#held > 0 || (!this.#main && !this.#second)) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#held === 0) void this.end();
    }, 0);
  }

  /** Ends both sessions (waiting for their queries). */
  async end(): Promise<void> {
    clearTimeout(this.#timer);
    const [a, b] = [this.#main, this.#second];
    this.#main = this.#second = undefined;
    await Promise.all([a?.end({ timeout: 5 }), b?.end({ timeout: 5 })]);
  }
}

/** A connection failure names the server (never the password); an error of PostgreSQL's passes. */
function connectError(e: unknown, url: string): unknown {
  const err = e as PgError;
  if (!(err instanceof Error) || err.name === "PostgresError") return e;
  const out = new Error(`Cannot reach PostgreSQL at ${where(url)}: ${err.message}`, {
    cause: e,
  }) as PgError;
  out.code = err.code;
  return out;
}
