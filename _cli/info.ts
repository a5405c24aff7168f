// Copyright 2026 the psbase authors. MIT license.
// `psbase <base> info`: the schema, live records, generation, each file's
// size, the log since the last checkpoint, and whether a process holds the
// write lock now. Reads only (FORMAT.md, R4).

import type { Command } from "./_args.ts";
import { openStore, place, writeLockHeld } from "./_base.ts";
import { schemaJson } from "./_schema.ts";

/**
 * The `info` command.
 *
 * @example
 * ```ts ignore
 * import { info } from "./_cli/info.ts";
 * console.log(info.summary);
 * ```
 */
export const info: Command = {
  name: "info",
  args: "",
  count: [0, 0],
  summary: "schema, records, generation, files, and whether a writer holds the lock",
  description: `
Shows the base: its fields (type, default, index, linked base), how many records
are live, the next id, the generation (a new one at every checkpoint or cleanup),
each file's size, the bytes of commits logged since the last checkpoint, and
whether a process holds the write lock now.

Takes no lock and writes nothing: works on a base the caller may only read.
With --json, one JSON object; its "schema" is what import --schema-file reads.`,
  options: { json: { type: "boolean", help: "print one JSON object" } },
  async run({ base, options, io }) {
    const p = await place(base);
    const store = openStore(p);
    let facts;
    try {
      facts = store.info() as {
        format: string;
        generation: number;
        nextId: number;
        records: number;
        dataRows: number;
        logBytes: number;
        files: { [name: string]: number };
      };
      const locked = await writeLockHeld(p);
      const schema = schemaJson(store.fields, store.indexes, p.dir);
      if (options.json) {
        await io.out(JSON.stringify({ path: p.dir, ...facts, writeLock: locked, schema }) + "\n");
        return 0;
      }
      const files = Object.entries(facts.files).map(([n, s]) => `${n} ${s} B`).join(", ");
      const rows: Array<[string, string]> = Object.entries(schema).map(([name, f]) => [
        name,
        [
          f.type.padEnd(9),
          f.base !== undefined ? `-> ${f.base}` : `default ${JSON.stringify(f.default)}`,
          f.index ? `  index ${f.index}` : "",
        ].join(" "),
      ]);
      const width = Math.max(...rows.map(([n]) => n.length)) + 2;
      const lines = [
        `base        ${p.dir}`,
        `format      ${facts.format}, generation ${facts.generation}`,
        `records     ${facts.records} live, next id ${facts.nextId}`,
        `log         ${facts.logBytes} bytes of commits since the last checkpoint`,
        `files       ${files}`,
        `write lock  ${locked ? "held by a process now" : "free"}`,
        ...rows.map(([n, f], i) => `${i === 0 ? "fields" : ""}`.padEnd(12) + n.padEnd(width) + f),
      ];
      await io.out(lines.map((l) => l.trimEnd()).join("\n") + "\n");
      return 0;
    } finally {
      store.close();
    }
  },
};
