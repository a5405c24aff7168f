// Copyright 2026 the psbase authors. MIT license.
/**
 * The PostgreSQL cluster of the race benchmark's PgBase engines
 * (bench/_engines.ts `pgEngines`): one cluster for the whole run, started by
 * tests/_pg_server.ts on a loopback port with PostgreSQL's default
 * durability (fsync, synchronous commit and full page writes on). Every store
 * of a PgBase engine is a database of that cluster holding one table, `t`:
 * so a working copy is `CREATE DATABASE ... TEMPLATE` of the aged one, a
 * byte-for-byte copy as the other engines copy their files.
 *
 * The server does the engine's work in processes of its own, which the race's
 * `RUSAGE_CHILDREN` does not see: {@linkcode PgCluster.cpuMs} reads their CPU
 * from /proc (the postmaster, its children, and the children it reaped).
 *
 * @module
 */

import postgres from "postgres";
import { pgBindir, type PgServer, startPg } from "../tests/_pg_server.ts";

/** The one table of each PgBase engine's database. */
export const PG_TABLE = "t";

/** Why PgBase cannot be raced here (PostgreSQL not installed), or undefined when it can. */
export async function pgUnavailable(): Promise<string | undefined> {
  return (await pgBindir())
    ? undefined
    : "PostgreSQL is not installed (no pg_config or initdb; apt-get install postgresql)";
}

/** A raw SQL session, for what PgBase does not do (databases, ANALYZE, CHECKPOINT). */
interface Sql {
  unsafe(query: string): Promise<Array<{ [k: string]: unknown }>>;
  end(options?: { timeout?: number }): Promise<void>;
}

function connect(url: string): Sql {
  return postgres(url, { max: 1, onnotice: () => {} }) as unknown as Sql;
}

const CLK_TCK = 100;

/** utime, stime, cutime, cstime (ms) and the parent of process `pid`, from /proc. */
function procStat(pid: number): { ppid: number; self: number; reaped: number } | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return undefined; // gone meanwhile
  }
  // The command may hold spaces and parentheses: the fields start after the last ")".
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const tick = (k: number) => Number(f[k]) * 1000 / CLK_TCK;
  return { ppid: Number(f[1]), self: tick(11) + tick(12), reaped: tick(13) + tick(14) };
}

/** The running processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    if (procStat(Number(e.name))?.ppid === pid) out.push(Number(e.name));
  }
  return out;
}

/** The cluster of one run. */
export class PgCluster {
  readonly #server: PgServer;
  readonly #admin: Sql;
  readonly #postmaster: number;
  /** `SHOW server_version`. */
  readonly version: string;

  private constructor(server: PgServer, admin: Sql, postmaster: number, version: string) {
    this.#server = server;
    this.#admin = admin;
    this.#postmaster = postmaster;
    this.version = version;
  }

  /** Makes and starts a cluster (fsync on). */
  static async start(): Promise<PgCluster> {
    const server = await startPg({ durable: true });
    const admin = connect(server.url);
    try {
      const [{ pid, version }] = await admin.unsafe(
        "SELECT pg_backend_pid() AS pid, current_setting('server_version') AS version",
      );
      const postmaster = procStat(Number(pid))?.ppid;
      if (!postmaster) throw new Error("Cannot find PostgreSQL's postmaster in /proc");
      return new PgCluster(server, admin, postmaster, String(version));
    } catch (e) {
      await admin.end({ timeout: 1 }).catch(() => {});
      await server.stop();
      throw e;
    }
  }

  /** `postgres://postgres@127.0.0.1:<port>/postgres`: the URL the children get as `DATABASE_URL`. */
  get url(): string {
    return this.#server.url;
  }

  /** The URL of database `name` of the cluster. */
  urlOf(name: string): string {
    return dbUrl(this.#server.url, name);
  }

  /** Runs `sql` in database `name` (a session of its own, ended afterwards). */
  async runIn(name: string, sql: string): Promise<void> {
    const s = connect(this.urlOf(name));
    try {
      await s.unsafe(sql);
    } finally {
      await s.end({ timeout: 5 });
    }
  }

  /** Makes database `name`, empty. */
  async create(name: string): Promise<void> {
    await this.#admin.unsafe(`CREATE DATABASE "${name}"`);
  }

  /**
   * Makes database `to` a copy of database `from`, then checkpoints, so that
   * the copy is on disk before a race starts (as the other engines' copies
   * are flushed) and no checkpoint is due during the race.
   */
  async copy(from: string, to: string): Promise<void> {
    await this.remove(to);
    await this.#admin.unsafe(`CREATE DATABASE "${to}" TEMPLATE "${from}"`);
    await this.#admin.unsafe("CHECKPOINT");
  }

  /** Drops database `name` if it exists (ending any session still in it). */
  async remove(name: string): Promise<void> {
    await this.#admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }

  /** The postmaster's children now (background workers and sessions). */
  #children(): number[] {
    return childrenOf(this.#postmaster);
  }

  /**
   * CPU (user + system, ms) of the server's processes so far: the postmaster,
   * its running children, and those it reaped. Waits (up to 2 s) for the
   * sessions of a race to be reaped first: `settle`, the number of children
   * before the race.
   */
  async cpuMs(settle?: number): Promise<{ ms: number; children: number }> {
    for (let i = 0; settle !== undefined && i < 200; i++) {
      if (this.#children().length <= settle) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const kids = this.#children();
    const pm = procStat(this.#postmaster);
    if (!pm) throw new Error("PostgreSQL's postmaster is gone");
    let ms = pm.self + pm.reaped;
    for (const pid of kids) ms += procStat(pid)?.self ?? 0;
    return { ms, children: kids.length };
  }

  /** Stops the cluster and removes its files. */
  async stop(): Promise<void> {
    try {
      await this.#admin.end({ timeout: 5 });
    } finally {
      await this.#server.stop();
    }
  }
}

/** `url` with its database set to `name`. */
export function dbUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.href;
}
