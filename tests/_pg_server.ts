// Copyright 2026 the psbase authors. MIT license.
// A PostgreSQL cluster of the tests' own: made in a temp folder with initdb,
// started on a free loopback port, stopped and removed afterwards. As root
// (CI, these machines) it runs as the `postgres` user: PostgreSQL refuses
// root. Without PostgreSQL installed, the PG tests are skipped with a message,
// except in CI (`CI` set), where that is a failure.

import { join } from "node:path";

/** A running cluster. */
export interface PgServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  url: string;
  port: number;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

async function output(cmd: string, args: string[]): Promise<{ ok: boolean; text: string }> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { ok: out.success, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
  } catch (e) {
    return { ok: false, text: String(e) };
  }
}

let bindir: Promise<string | undefined> | undefined;

/**
 * PostgreSQL's program folder (`pg_config --bindir`, else the newest
 * /usr/lib/postgresql/<version>/bin), or undefined when it is not installed.
 */
export function pgBindir(): Promise<string | undefined> {
  return bindir ??= (async () => {
    const r = await output("pg_config", ["--bindir"]);
    const dirs = r.ok ? [r.text.trim()] : [];
    try {
      const versions = [...Deno.readDirSync("/usr/lib/postgresql")].map((e) => e.name);
      versions.sort((a, b) => Number(b) - Number(a));
      dirs.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
    } catch {
      // Not Debian's layout.
    }
    for (const dir of dirs) {
      if (dir && (await output(join(dir, "initdb"), ["--version"])).ok) return dir;
    }
    return undefined;
  })();
}

/** Why PG tests cannot run here, or undefined when they can. Throws in CI: there they must. */
export async function pgMissing(): Promise<string | undefined> {
  if (await pgBindir()) return undefined;
  const why = "PostgreSQL is not installed (no pg_config/initdb): apt-get install postgresql";
  if (Deno.env.get("CI")) throw new Error(`Cannot run the PostgreSQL tests in CI: ${why}`);
  return why;
}

/** A loopback port nothing listens on now. */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** The uid and gid of user `name`, from /etc/passwd. */
function userIds(name: string): { uid: number; gid: number } | undefined {
  for (const line of Deno.readTextFileSync("/etc/passwd").split("\n")) {
    const f = line.split(":");
    if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

/**
 * Makes and starts a cluster. `durable: false` (the default, for tests)
 * turns fsync off; the benchmark keeps PostgreSQL's defaults.
 */
export async function startPg(options: { durable?: boolean } = {}): Promise<PgServer> {
  const bin = await pgBindir();
  if (!bin) throw new Error("Cannot start PostgreSQL: it is not installed");
  const dir = await Deno.makeTempDir({ prefix: "psbase_pg_" });
  const root = Deno.uid() === 0;
  const run = async (program: string, args: string[]) => {
    const [cmd, all] = root
      ? ["runuser", ["-u", "postgres", "--", join(bin, program), ...args]]
      : [join(bin, program), args];
    const r = await output(cmd, all);
    if (!r.ok) throw new Error(`Cannot start PostgreSQL: ${program} failed:\n${r.text}`);
  };
  try {
    if (root) {
      const ids = userIds("postgres");
      if (!ids) throw new Error("Cannot start PostgreSQL as root: there is no postgres user");
      await Deno.chown(dir, ids.uid, ids.gid);
    }
    const data = join(dir, "data");
    await run("initdb", [
      "-D",
      data,
      "-A",
      "trust",
      "-U",
      "postgres",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    const settings = [
      "-c listen_addresses=127.0.0.1",
      `-k ${dir}`,
      "-c max_connections=300",
      ...(options.durable ? [] : ["-c fsync=off", "-c full_page_writes=off"]),
    ];
    for (let attempt = 1;; attempt++) {
      const port = freePort();
      try {
        await run("pg_ctl", [
          "-D",
          data,
          "-o",
          `${settings.join(" ")} -p ${port}`,
          "-l",
          join(dir, "log"),
          "-w",
          "-t",
          "60",
          "start",
        ]);
      } catch (e) {
        if (attempt < 3) continue; // the port was taken meanwhile
        throw e;
      }
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        port,
        async stop() {
          try {
            await run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
          } finally {
            await Deno.remove(dir, { recursive: true });
          }
        },
      };
    }
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }
}

/** Runs `fn` with a fresh cluster, stopped and removed afterwards whatever happens. */
export async function withPg<T>(fn: (server: PgServer) => Promise<T>): Promise<T> {
  const server = await startPg();
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}
