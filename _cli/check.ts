// Copyright 2026 the psbase authors. MIT license.
// `psbase <base> check`: the integrity check (FORMAT.md, K1-K4). Takes no
// lock, opens every file read-only, writes nothing; exit status 1 when a
// problem is found.

import { Base } from "../base.ts";
import type { Command } from "./_args.ts";
import { place } from "./_base.ts";

/**
 * The `check` command.
 *
 * @example
 * ```ts ignore
 * import { check } from "./_cli/check.ts";
 * console.log(check.summary);
 * ```
 */
export const check: Command = {
  name: "check",
  args: "",
  count: [0, 0],
  summary: "the integrity check of every file; exit status 1 when the base is damaged",
  description: `
Reads every file of the base's current generation and checks every checksum and
rule of the format (FORMAT.md, K1-K4): the manifest, the data file (every page,
column and index), the log (every commit, replayed op by op). Prints each
problem with its file, then notes (strays of an earlier generation, a torn tail
left by a crash: harmless, the next writer cleans them up).

Exit status 0 when the base is whole, 1 when it has a problem. Takes no lock,
opens nothing for writing and creates no file: works on a read-only base.`,
  options: { json: { type: "boolean", help: "print the report as one JSON object" } },
  async run({ base, options, io }) {
    const { dir } = await place(base);
    const report = await new Base(dir).check();
    if (options.json) {
      await io.out(JSON.stringify({ path: dir, ...report }) + "\n");
      return report.ok ? 0 : 1;
    }
    const lines = report.ok ? [`ok: ${dir} is whole`] : [
      `damaged: ${dir}: ${report.problems.length} problem${
        report.problems.length === 1 ? "" : "s"
      }`,
      ...report.problems.map((p) => `  ${p.file}: ${p.detail}`),
    ];
    for (const n of report.notes) lines.push(`note: ${n.file}: ${n.detail}`);
    await io.out(lines.join("\n") + "\n");
    return report.ok ? 0 : 1;
  },
};
