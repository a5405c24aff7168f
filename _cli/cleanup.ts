// Copyright 2026 the psbase authors. MIT license.
// `psbase <base> cleanup`: compacts the base under the write lock
// (PsBase.cleanup: a new generation without deleted records, FORMAT.md, W4).

import { PsBase } from "../ps_base.ts";
import { type Command, count } from "./_args.ts";
import { openStore, place } from "./_base.ts";

/** The sum of the sizes of the base's files, as `info` lists them. */
function size(store: { info(): { [k: string]: unknown } }): number {
  const files = store.info().files as { [name: string]: number };
  return Object.values(files).reduce((a, b) => a + b, 0);
}

/**
 * The `cleanup` command.
 *
 * @example
 * ```ts ignore
 * import { cleanup } from "./_cli/cleanup.ts";
 * console.log(cleanup.summary);
 * ```
 */
export const cleanup: Command = {
  name: "cleanup",
  args: "",
  count: [0, 0],
  summary: "compact: rewrite the base without deleted records (takes the write lock)",
  description: `
Rewrites the base as a new generation: the live records only, the log folded in,
files of earlier generations removed. Ids are kept. Runs under the write lock,
like any writer: other writers wait for it, readers do not.`,
  options: {
    timeout: {
      type: "string",
      value: "ms",
      help: "how long to wait for the write lock (default 10000)",
    },
  },
  async run({ base, options, io }) {
    const timeoutMs = count("cleanup", "timeout", options.timeout) ?? 10_000;
    const p = await place(base);
    const before = openStore(p);
    const was = { gen: before.gen, bytes: size(before) };
    before.close();
    const db = await new PsBase(p.dir, { timeoutMs }).open();
    try {
      await db.cleanup();
    } finally {
      await db.close();
    }
    const after = openStore(p);
    try {
      await io.out(
        `cleaned up ${p.dir}: generation ${was.gen} -> ${after.gen}, ${after.records} records, ` +
          `${was.bytes} -> ${size(after)} bytes\n`,
      );
    } finally {
      after.close();
    }
    return 0;
  },
};
