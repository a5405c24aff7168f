// Copyright 2026 the psbase authors. MIT license.
// `psbase <base> backup <dest>`: a consistent copy of the base in a new
// folder, taken while writers run, with no lock (_file/_backup.ts).

import { BaseNotFoundError } from "../_errors.ts";
import { backupBase } from "../_file/_backup.ts";
import { path } from "../_path.ts";
import type { Command } from "./_args.ts";
import { checkApart, exists, place } from "./_base.ts";

/**
 * The `backup` command.
 *
 * @example
 * ```ts ignore
 * import { backup } from "./_cli/backup.ts";
 * console.log(backup.summary);
 * ```
 */
export const backup: Command = {
  name: "backup",
  args: "<dest>",
  count: [1, 1],
  summary: "a consistent copy in a new folder, taken without stopping writers",
  description: `
Copies the base into <dest>, a new folder outside the base's folder. The copy
holds the base as it was after one commit: every commit acknowledged before the
backup started, and no part of any commit. Writers are not stopped and no lock
is taken: the backup copies the generation the manifest names (its data file
never changes, its log is only appended to) up to the log's last whole commit,
and starts over if a checkpoint replaces that generation meanwhile.

The copy is written into a temp folder beside <dest>, synced to disk, checked
(as check does) and renamed to <dest>: a crash mid-backup leaves no half base at
<dest>. A link field keeps naming its base by a path relative to the base's
folder: back up linked bases side by side.`,
  options: {},
  async run({ base, args, io }) {
    const p = await place(base);
    const dest = path.resolve(args[0]);
    checkApart("backup", p.dir, dest);
    if (!exists(p)) throw new BaseNotFoundError(p.dir);
    const r = backupBase(p.fs, p.dir, dest);
    const files = Object.entries(r.files).map(([n, s]) => `${n} ${s} B`).join(", ");
    await io.out(
      `backed up ${p.dir} to ${dest}: generation ${r.gen}, ${r.records} record${
        r.records === 1 ? "" : "s"
      }, ` +
        `${r.logBytes} bytes of log (${files}); the copy passes check${
          r.retries ? ` (started over ${r.retries}x: checkpoints replaced the generation)` : ""
        }\n`,
    );
    return 0;
  },
};
