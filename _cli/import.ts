// Copyright 2026 the psbase authors. MIT license.
// `psbase <base> import [file]`: JSON Lines or CSV records into a base, all or
// nothing. Every line is read and coerced by the field types first (an error
// names the line and field, and nothing is written); then, under the write
// lock, the base is created if missing and the records go in as one new
// generation (FileStore.restore: FORMAT.md, W3), ids and versions as given
// (so a dump imports back to the same records, links included) or numbered
// anew with --new-ids.

import { PsLock } from "../lock.ts";
import type { Field, Row, Stored } from "../_field/_codec.ts";
import { FileStore } from "../_file/_store.ts";
import { path } from "../_path.ts";
import { fieldPosition } from "../_query/_where.ts";
import type { IndexSpec } from "../_storage/_types.ts";
import { indexesOf, parseSchema, schemaDifferences } from "../_table/_schema.ts";
import { choice, type Command, count, UsageError } from "./_args.ts";
import { exists, openStore, type Place, place } from "./_base.ts";
import { type Cell, type CsvRecord, parseCsv } from "./_csv.ts";
import type { Io } from "./_io.ts";
import { Progress } from "./_progress.ts";
import { parseSchemaText } from "./_schema.ts";
import { fromJson, fromText } from "./_values.ts";

/** An input record: its line, and the row positions it gives (0 __id__, 1 __version__, 2+). */
interface Input {
  line: number;
  given: Map<number, Stored>;
}

/** The input line of each row, for messages after sorting. */
const lineOf = new WeakMap<Row, number>();

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The input's lines, decoded (a leading BOM dropped); an Error names a line that is not UTF-8. */
function lines(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      out.push(utf8.decode(bytes.subarray(start, end)));
    } catch {
      throw new Error(`line ${out.length + 1}: not UTF-8 text`);
    }
    start = end + 1;
  }
  if (out.length > 1 && out[out.length - 1] === "") out.pop(); // the final line break
  return out;
}

/** Where a value of `name` goes, or an Error. */
function position(name: string, fields: readonly Field[], line: number): [number, Field] {
  const at = fieldPosition(name, fields);
  if (!at) {
    throw new Error(
      `line ${line}: unknown field "${name}" (fields: ${fields.map((f) => f.name).join(", ")})`,
    );
  }
  return at;
}

/** Coerces one value, naming the line and field when it does not fit. */
function coerce<T>(f: (field: Field, v: T) => Stored, field: Field, v: T, line: number): Stored {
  try {
    return f(field, v);
  } catch (e) {
    throw new Error(`line ${line}, field "${field.name}": ${(e as Error).message}`);
  }
}

function readJsonl(text: string[], fields: readonly Field[], tick: (i: number) => void): Input[] {
  const out: Input[] = [];
  text.forEach((t, i) => {
    tick(i + 1);
    if (t.trim() === "") return;
    const line = i + 1;
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch (e) {
      throw new Error(`line ${line}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      throw new Error(`line ${line}: a record is a JSON object, got ${t.slice(0, 40)}`);
    }
    const given = new Map<number, Stored>();
    for (const [name, v] of Object.entries(obj)) {
      const [k, field] = position(name, fields, line);
      given.set(k, coerce(fromJson, field, v, line));
    }
    out.push({ line, given });
  });
  return out;
}

/** Whether a CSV record is a blank line: one empty cell. */
function isBlank(r: CsvRecord): boolean {
  return r.cells.length === 1 && r.cells[0] === null;
}

/**
 * The records of CSV lines: a header of field names first. Blank lines are
 * skipped, as in JSON Lines, except after the header of a single column,
 * where a blank line is a record whose one value is null (as dump writes it).
 */
function readCsv(text: string[], fields: readonly Field[], tick: (i: number) => void): Input[] {
  const records = parseCsv(text.join("\n") + (text.length ? "\n" : ""));
  const at = records.findIndex((r) => !isBlank(r));
  if (at < 0) throw new Error("it is empty (CSV starts with a header line of field names)");
  const header = records[at];
  const cols = header.cells.map((name, j) => {
    if (name === null || name === "") {
      throw new Error(`line ${header.line}: column ${j + 1} has no name`);
    }
    return position(name, fields, header.line);
  });
  const seen = new Set<number>();
  for (const [k, f] of cols) {
    if (seen.has(k)) throw new Error(`line ${header.line}: column "${f.name}" is given twice`);
    seen.add(k);
  }
  const out: Input[] = [];
  for (const r of records.slice(at + 1)) {
    const { line, cells } = r;
    tick(line);
    if (cols.length > 1 && isBlank(r)) continue;
    if (cells.length !== cols.length) {
      throw new Error(
        `line ${line}: ${cells.length} value${
          cells.length === 1 ? "" : "s"
        }, the header has ${cols.length}`,
      );
    }
    const given = new Map<number, Stored>();
    cells.forEach((c: Cell, j) => given.set(cols[j][0], coerce(fromText, cols[j][1], c, line)));
    out.push({ line, given });
  }
  return out;
}

/** The schema to create the base with, from --schema or --schema-file; undefined if neither. */
async function schemaOption(
  options: { [name: string]: string | boolean | undefined },
  io: Io,
  dir: string,
): Promise<{ fields: Field[]; indexes: IndexSpec[] } | undefined> {
  if (options.schema !== undefined && options["schema-file"] !== undefined) {
    throw new UsageError("Cannot run psbase import: give --schema or --schema-file, not both");
  }
  if (options.schema === undefined && options["schema-file"] === undefined) return undefined;
  const from = options.schema !== undefined
    ? "--schema"
    : `--schema-file ${options["schema-file"]}`;
  const text = options.schema !== undefined
    ? options.schema as string
    : new TextDecoder().decode(await io.read(options["schema-file"] as string));
  try {
    const schema = parseSchemaText(text);
    const fields = parseSchema(schema, dir);
    return { fields, indexes: indexesOf(schema, fields) };
  } catch (e) {
    const msg = (e as Error).message;
    throw new UsageError(`Cannot run psbase import: ${from}: ${msg}`);
  }
}

/** Fails unless the base's schema is the one the input was read against. */
function sameSchema(
  p: Place,
  store: FileStore,
  want: { fields: Field[]; indexes: IndexSpec[] },
  what: string,
): void {
  const diff = schemaDifferences(store.fields, store.indexes, want.fields, want.indexes);
  if (diff.length) {
    throw new Error(`Cannot import into ${p.dir}: ${what}: ${diff.join("; ")}`);
  }
}

/**
 * The `import` command.
 *
 * @example
 * ```ts ignore
 * import { importCommand } from "./_cli/import.ts";
 * console.log(importCommand.summary);
 * ```
 */
export const importCommand: Command = {
  name: "import",
  args: "[file]",
  count: [0, 1],
  summary: "JSON Lines or CSV records into the base, all or nothing",
  description: `
Reads records from a file (or stdin: no file, or -) as JSON Lines or CSV, in the
form dump writes, and adds them to the base, creating it from --schema or
--schema-file when it is missing. Every value is checked against its field's
type first: an error names the line and the field, and then nothing is written.
The records go in together, in one step, under the write lock: all or none.

Ids: when the records have __id__ (a dump does), they keep their __id__ and
__version__, so importing a dump gives the same records, links included; the ids
must be new to the base (above its ids so far). --new-ids numbers them anew.
Fields left out get their default. JSON values: strings, numbers, booleans,
dates and datetimes as ISO 8601 strings, links as ids. CSV: a header of field
names; an empty cell is null, "" the empty string (only a string field takes
it). Blank lines are skipped, except in a CSV of one column, where a blank line
is a record holding null.

A schema is JSON, {"name": "string", "age": {"type": "int", "default": 0,
"index": true}, "owner": {"type": "link", "base": "../owners"}}, as info --json
prints it, or the short form name:string,age:int. The types: string, int,
float, bool, date, datetime, link.`,
  options: {
    format: {
      type: "string",
      value: "jsonl|csv",
      help: "the input format (default: csv for a .csv file, else jsonl)",
    },
    schema: { type: "string", value: "schema", help: "create the base with it when missing" },
    "schema-file": { type: "string", value: "file", help: "the same, from a file" },
    "new-ids": { type: "boolean", help: "number the records anew (ignore __id__, __version__)" },
    timeout: {
      type: "string",
      value: "ms",
      help: "how long to wait for the write lock (default 10000)",
    },
    quiet: { type: "boolean", help: "no progress on stderr" },
  },
  async run({ base, args, options, io }) {
    const file = args[0] ?? "-";
    const source = file === "-" ? "stdin" : file;
    const format = choice("import", "format", options.format, ["jsonl", "csv"] as const) ??
      (file.toLowerCase().endsWith(".csv") ? "csv" : "jsonl");
    const timeoutMs = count("import", "timeout", options.timeout) ?? 10_000;
    if (file === "-" && io.inIsTerminal) {
      throw new UsageError(
        "Cannot run psbase import: no input (give a file, or pipe records into stdin)",
      );
    }
    const p = await place(base);
    const wanted = await schemaOption(options, io, p.dir);

    // 1. The fields the input is read against: the base's, or the schema's for a new base.
    let schema: { fields: Field[]; indexes: IndexSpec[] };
    if (exists(p)) {
      const store = openStore(p);
      try {
        if (wanted) sameSchema(p, store, wanted, "its schema is not the one given");
        schema = { fields: store.fields, indexes: store.indexes };
      } finally {
        store.close();
      }
    } else if (wanted) {
      schema = wanted;
    } else {
      throw new Error(
        `Cannot import into ${p.dir}: there is no base there; give --schema or --schema-file`,
      );
    }

    // 2. Every line read and coerced before anything is written.
    const bytes = await io.read(file);
    let text: string[];
    try {
      text = lines(bytes);
    } catch (e) {
      throw new Error(`Cannot import ${source}: ${(e as Error).message}`);
    }
    const progress = new Progress(io, "import", text.length, "lines", options.quiet === true);
    const tick = (i: number) => progress.update(i);
    let inputs: Input[];
    try {
      inputs = format === "csv"
        ? readCsv(text, schema.fields, tick)
        : readJsonl(text, schema.fields, tick);
    } catch (e) {
      progress.end();
      throw new Error(`Cannot import ${source}: ${(e as Error).message}`);
    }
    progress.end();
    const keep = options["new-ids"] !== true && inputs.some((r) => r.given.has(0));
    const rows = inputs.map(({ line, given }): Row => {
      if (keep && (given.get(0) ?? null) === null) {
        throw new Error(
          `Cannot import ${source}: line ${line} has no __id__, other records have one ` +
            "(--new-ids numbers them all anew)",
        );
      }
      if (!keep && !options["new-ids"] && given.has(1)) {
        throw new Error(`Cannot import ${source}: line ${line} has a __version__ but no __id__`);
      }
      const row: Row = [
        keep ? given.get(0)! : null,
        keep ? given.get(1) ?? 0 : 0,
        ...schema.fields.map((f, j) => given.has(j + 2) ? given.get(j + 2)! : f.default),
      ];
      lineOf.set(row, line);
      return row;
    });
    if (keep) {
      rows.sort((a, b) => (a[0] as number) - (b[0] as number));
      for (let i = 1; i < rows.length; i++) {
        if (rows[i][0] === rows[i - 1][0]) {
          throw new Error(
            `Cannot import ${source}: lines ${lineOf.get(rows[i - 1])} and ${
              lineOf.get(rows[i])
            } have the same __id__ ${rows[i][0]}`,
          );
        }
      }
    }

    // 3. Under the write lock: create the base if missing, then one new generation.
    progress.say(`writing ${rows.length} records`);
    p.fs.mkdirp(path.dirname(p.dir));
    const held = await new PsLock(p.lockPath).acquire({ exclusive: true, timeoutMs });
    let gen: number;
    try {
      const options_ = { fs: p.fs, sync: true, checkpointBytes: 64 * 1024 };
      const created = !exists(p);
      const store = created
        ? FileStore.create(p.dir, schema.fields, schema.indexes, options_)
        : FileStore.open(p.dir, options_);
      try {
        if (!created) sameSchema(p, store, schema, "its schema changed while the input was read");
        if (keep && rows.length && (rows[0][0] as number) < store.nextId) {
          throw new Error(
            `Cannot import ${source}: line ${lineOf.get(rows[0])}: __id__ ${
              rows[0][0]
            } is not new ` +
              `to the base (its next id is ${store.nextId}); import into a new base, or use --new-ids`,
          );
        }
        if (!keep) rows.forEach((r, i) => r[0] = store.nextId + i);
        store.restore(rows);
        gen = store.gen;
      } catch (e) {
        store.close();
        if (created) FileStore.destroy(p.fs, p.dir); // all or nothing: no empty base left
        throw e;
      }
      store.close();
    } finally {
      held.release();
    }
    await io.out(
      `imported ${rows.length} record${rows.length === 1 ? "" : "s"} into ${p.dir} (${
        keep ? "ids kept" : "new ids"
      }), generation ${gen}\n`,
    );
    return 0;
  },
};
