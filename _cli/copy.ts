// Copyright 2026 the psbase authors. MIT license.
// `psbase <base> copy <dest>`: the base copied into a new base of any kind, a
// folder or a PostgreSQL table (`pg:<table>`), ids, versions and the next id
// kept (pg.ts, copyBase). The PostgreSQL client is loaded only when one side
// is a table.

import { BaseExistsError } from "../_errors.ts";
import { PsBase } from "../ps_base.ts";
import type { Base } from "../base.ts";
import { path } from "../_path.ts";
import { type Command, UsageError } from "./_args.ts";
import { checkApart } from "./_base.ts";

/** `DATABASE_URL` (undefined when unset), or null where this process may not read it (Deno without --allow-env). */
function readEnvUrl(envUrl: () => string | undefined): string | undefined | null {
  try {
    return envUrl();
  } catch {
    return null;
  }
}

/** `pg:<table>` names a PostgreSQL table; anything else a folder. */
async function baseAt(name: string, url: string | undefined): Promise<Base> {
  if (!name.startsWith("pg:")) return new PsBase(name);
  const [{ PgBase }, { checkTableName, envUrl }] = await Promise.all([
    import("../pg.ts"),
    import("../_pg/_kind.ts"),
  ]);
  // A bad table name, or no database to find it in, is a bad argument: exit 2.
  try {
    checkTableName(name.slice(3), "run psbase copy");
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const env = url === undefined ? readEnvUrl(envUrl) : url;
  if (!env) {
    throw new UsageError(
      `Cannot run psbase copy: ${name} needs --url postgres://... (or DATABASE_URL set${
        env === null ? ", and deno run --allow-env to read it" : ""
      })`,
    );
  }
  return new PgBase(name.slice(3), url === undefined ? {} : { url });
}

/**
 * The `copy` command.
 *
 * @example
 * ```ts ignore
 * import { copy } from "./_cli/copy.ts";
 * console.log(copy.summary);
 * ```
 */
export const copy: Command = {
  name: "copy",
  args: "<dest>",
  count: [1, 1],
  summary: "copy into a new base: a folder, or a PostgreSQL table (pg:<table>)",
  description: `
Copies every record into a new base at <dest>, keeping ids, versions and the
next id, so that records link and update as before. <base> and <dest> are each
a folder, or pg:<table> for a table of PgBase in the database at --url (default:
the DATABASE_URL environment variable). <dest> must not exist, unless
--override is given, and two folders must be apart (neither inside the other).
All or nothing: a copy that fails leaves no half copy at <dest> (with --override,
the base there is replaced in one step: a failed or killed copy leaves it as it
was). Moving to PostgreSQL:

  psbase ./data/people copy pg:people --url postgres://user@host/db

and back: psbase pg:people copy ./data/people. A link field is pointed at the
base of the same last name beside <dest> (a link of the base to itself, at
the copy itself): copy linked bases too.`,
  options: {
    url: { type: "string", value: "postgres://...", help: "the database of pg:<table> bases" },
    override: { type: "boolean", help: "replace <dest> if it exists" },
  },
  async run({ base, args, options, io }) {
    const url = options.url as string | undefined;
    if (!base.startsWith("pg:") && !args[0].startsWith("pg:")) {
      checkApart("copy", path.resolve(base), path.resolve(args[0]));
    }
    const from = await baseAt(base, url);
    const to = await baseAt(args[0], url);
    const { copyBase } = await import("../pg.ts");
    try {
      await from.open();
      const r = await copyBase(from, to, options.override ? { mode: "override" } : {}).catch(
        (e) => {
          if (!(e instanceof BaseExistsError)) throw e;
          throw new Error(
            `Cannot copy to ${to.path}: a base exists there (--override replaces it)`,
          );
        },
      );
      await io.out(
        `copied ${r.records} record${
          r.records === 1 ? "" : "s"
        } from ${from.path} to ${to.path} (next id ${r.nextId})\n`,
      );
    } finally {
      await from.close();
      await to.close();
    }
    return 0;
  },
};
