// Copyright 2026 the psbase authors. MIT license.
/**
 * The `psbase` command: look inside a base, check it, dump, import, back up,
 * compact, copy to and from PostgreSQL. `psbase <base> <command> [arguments] [options]`; `psbase --help`
 * lists the commands, `psbase <command> --help` tells one.
 *
 * ```sh
 * deno task cli ./data/people info      # in a checkout: deno run --allow-read --allow-write cli.ts
 * npx psbase ./data/people check        # Node: the npm package's bin
 * ```
 *
 * @module
 */

import process from "node:process";
import { type Command, parse, UsageError } from "./_cli/_args.ts";
import { ClosedOutput, type Io, processIo } from "./_cli/_io.ts";
import { backup } from "./_cli/backup.ts";
import { check } from "./_cli/check.ts";
import { cleanup } from "./_cli/cleanup.ts";
import { copy } from "./_cli/copy.ts";
import { dump } from "./_cli/dump.ts";
import { importCommand } from "./_cli/import.ts";
import { info } from "./_cli/info.ts";

const COMMANDS: readonly Command[] = [info, check, dump, importCommand, backup, cleanup, copy];

/**
 * Runs the `psbase` command with `args` (the arguments after the program's
 * name) and resolves to its exit status: 0 done, 1 failed (or `check` found
 * damage), 2 bad usage. Writes to stdout and stderr; never exits the process.
 *
 * @example
 * ```ts
 * import { main } from "@psbase/psbase/cli";
 * const status = await main(["--help"]);
 * console.log(status); // 0
 * ```
 */
export async function main(args: string[]): Promise<number> {
  return await run(args, processIo());
}

async function run(args: string[], io: Io): Promise<number> {
  let name = "psbase";
  try {
    const parsed = parse(args, COMMANDS);
    if ("help" in parsed) {
      await io.out(parsed.help);
      return 0;
    }
    name = `psbase ${parsed.command.name}`;
    return await parsed.command.run({ ...parsed.ctx, io });
  } catch (e) {
    if (e instanceof ClosedOutput) return 0; // `psbase dump | head`: the reader has enough
    if (e instanceof UsageError) {
      io.err(e.message);
      return 2;
    }
    io.err(`${name}: ${(e as Error)?.message ?? e}`);
    return 1;
  }
}

if (import.meta.main) {
  // `deno task cli` runs in the checkout: paths on its command line are the caller's.
  let init: string | undefined;
  try {
    init = process.env.INIT_CWD; // set by `deno task`; reading it needs --allow-env in Deno
  } catch {
    // No env permission: not run by `deno task`.
  }
  if (init && init !== process.cwd()) process.chdir(init);
  process.exitCode = await main(process.argv.slice(2));
}
