// Copyright 2026 the psbase authors. MIT license.
// `psbase <base> dump [where...]`: the records as JSON Lines or CSV on stdout,
// as stored: links as ids (even to a deleted record), dates as ISO strings.
// Reads one consistent state of the base, with no lock (FORMAT.md, R4).

import type { Field, Stored } from "../_field/_codec.ts";
import { codecOf } from "../_field/_list.ts";
import { compileWhere, fieldPosition } from "../_query/_where.ts";
import { choice, type Command, UsageError } from "./_args.ts";
import { openStore, place } from "./_base.ts";
import { csvLine } from "./_csv.ts";
import { expects, fromText, toJson, toText } from "./_values.ts";

/** Output is written in pieces of about this many characters. */
const PIECE = 1 << 16;

/**
 * Turns `field=value`, `field==value` and `field=lo..hi` arguments into a
 * `where` object for `fields` (values read as CSV cells are: empty is null,
 * `""` the empty string; an empty range end is open). Throws a UsageError.
 *
 * @example
 * ```ts ignore
 * const where = parseWhere(["age=18..", "name=Ada"], fields);
 * ```
 */
export function parseWhere(args: string[], fields: readonly Field[]): { [k: string]: unknown } {
  const where: { [k: string]: unknown } = {};
  for (const arg of args) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(==?)([\s\S]*)$/.exec(arg);
    const fail = (why: string) =>
      new UsageError(`Cannot run psbase dump: where argument "${arg}": ${why}`);
    if (!m) throw fail("expected field=value, field=lo..hi or field==value");
    const [, name, op, text] = m;
    const at = fieldPosition(name, fields);
    if (!at) {
      throw fail(`unknown field (fields: ${fields.map((f) => f.name).join(", ")})`);
    }
    if (name in where) throw fail(`field "${name}" has a condition already`);
    const field = at[1];
    const value = (t: string): unknown => {
      let v: Stored;
      try {
        v = fromText(field, t === "" ? null : t === '""' ? "" : t);
      } catch {
        throw fail(`expected ${expects(field)}`);
      }
      return v !== null && (field.type === "date" || field.type === "datetime")
        ? new Date(v as number)
        : v;
    };
    const dots = text.indexOf("..");
    if (op === "=" && dots >= 0 && codecOf(field.type)!.ordered) {
      where[name] = [value(text.slice(0, dots)), value(text.slice(dots + 2))];
    } else where[name] = value(text);
  }
  try {
    compileWhere(where, fields);
  } catch (e) {
    throw new UsageError(
      `Cannot run psbase dump: ${(e as Error).message.replace(/^Cannot select: /, "")}`,
    );
  }
  return where;
}

/**
 * The `dump` command.
 *
 * @example
 * ```ts ignore
 * import { dump } from "./_cli/dump.ts";
 * console.log(dump.summary);
 * ```
 */
export const dump: Command = {
  name: "dump",
  args: "[where...]",
  count: [0, Infinity],
  summary: "the records as JSON Lines (default) or CSV, on stdout",
  description: `
Writes the records, in __id__ order, as JSON Lines (one object a line) or CSV (a
header of field names, then one record a line). Every record has __id__ and
__version__, then its fields, unless --fields picks some. Values as stored: a
date as YYYY-MM-DD, a datetime as an ISO 8601 string in UTC, a link as the
linked record's __id__, -0 as -0. A null is JSON null, or an empty CSV cell;
in CSV an empty string is a quoted empty cell (""), so the two differ.

Where arguments keep only the records that match them all:
  field=value     equal (an empty value matches null; "" the empty string)
  field=lo..hi    in the range, ends included (int, float, string, date,
                  datetime); an empty end is open: age=18.. and age=..65
  field==value    equal, reading ".." as part of the value

Takes no lock and writes nothing: one consistent state, while writers run.`,
  options: {
    format: { type: "string", value: "jsonl|csv", help: "the output format (default jsonl)" },
    fields: {
      type: "string",
      value: "a,b,...",
      help: "only these fields, in this order (default: __id__, __version__, all)",
    },
  },
  async run({ base, args, options, io }) {
    const format = choice("dump", "format", options.format, ["jsonl", "csv"] as const) ??
      "jsonl";
    const p = await place(base);
    const store = openStore(p);
    try {
      const fields = store.fields;
      const where = parseWhere(args, fields);
      const names = typeof options.fields === "string"
        ? options.fields.split(",").map((s) => s.trim())
        : ["__id__", "__version__", ...fields.map((f) => f.name)];
      const cols = names.map((n) => {
        const at = fieldPosition(n, fields);
        if (!at) {
          throw new UsageError(
            `Cannot run psbase dump: --fields names "${n}", not a field (fields: ${
              fields.map((f) => f.name).join(", ")
            })`,
          );
        }
        return at;
      });
      if (new Set(names).size !== names.length) {
        throw new UsageError("Cannot run psbase dump: --fields names a field twice");
      }
      const rows = store.select({
        conds: compileWhere(where, fields),
        want: [1, ...fields.map((_, j) => j + 2)],
        order: [],
        offset: 0,
      });
      let piece = format === "csv" ? csvLine(names) : "";
      for (const row of rows) {
        if (format === "csv") {
          piece += csvLine(cols.map(([k, f]) => row[k] === null ? null : toText(f, row[k]!)));
        } else {
          piece += "{" +
            cols.map(([k, f], j) => `${JSON.stringify(names[j])}:${toJson(f, row[k])}`).join(
              ",",
            ) + "}\n";
        }
        if (piece.length >= PIECE) {
          await io.out(piece);
          piece = "";
        }
      }
      if (piece) await io.out(piece);
      return 0;
    } finally {
      store.close();
    }
  },
};
