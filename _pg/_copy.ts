// Copyright 2026 the psbase authors. MIT license.
// Copying a base into another, of any kind (a folder into a table and back),
// keeping every `__id__`, `__version__` and the next id, through the storage
// interface and each base's own locking.

import type { Field, Row } from "../_field/_codec.ts";
import { path } from "../_path.ts";
import type { Storage } from "../_storage/_types.ts";
import { baseInternals, kindOf } from "../_table/_kind.ts";
import type { Base } from "../base.ts";
import type { CopyReport } from "../pg.ts";

/** How a link field of `to` names the base that a field of `from` links to (by its last name). */
function relink(from: Base, to: Base, field: Field): Field {
  const linked = from.schema[field.name].base!;
  const leaf = path.basename(linked);
  const kind = kindOf(to.constructor);
  const toTable = kind.links !== undefined;
  // A table is named by its folder's last name; a folder sits beside `to`'s.
  const target = toTable
    ? leaf
    : kindOf(from.constructor).links
    ? path.join(path.dirname(to.path), leaf)
    : linked;
  const base = kind.links
    ? kind.links.name(to.path, target)
    : path.relative(to.path, target) || ".";
  return { ...field, base };
}

/** Copies `from` into a new base `to` (see pg.ts `copyBase`). */
export async function copy(
  from: Base,
  to: Base,
  mode: "override" | undefined,
): Promise<CopyReport> {
  const internals = baseInternals();
  const opened = !from.isOpen;
  const toWasOpen = to.isOpen;
  if (opened) await from.open();
  try {
    const { fields, indexes, rows, nextId } = await internals.read(from, async (s: Storage) => {
      const want = Array.from({ length: s.fields.length + 1 }, (_, j) => j + 1);
      const rows = await s.select({ conds: [], want, order: [], offset: 0 });
      const next = (await s.info()).nextId; // after the rows: not below any of their ids
      if (!Number.isSafeInteger(next)) {
        throw new Error(`Cannot copy ${from.path}: its storage does not tell its next id`);
      }
      return {
        fields: s.fields.map((f) => ({ ...f })),
        indexes: s.indexes.map((ix) => ({ ...ix })),
        rows,
        nextId: next as number,
      };
    });
    const target = fields.map((f) => f.type === "link" ? relink(from, to, f) : f);
    await internals.create(to, target, indexes, mode);
    await internals.write(to, async (ws) => {
      // Ids are given in order from 1 in a new base: a row for each id, and
      // each id of no record (deleted, rolled back) taken and deleted again.
      const filler: Row = target.map((f) => f.default);
      let j = 0;
      const gaps: number[] = [];
      for (let id = 1; id < nextId; id++) {
        const row: Row | undefined = rows[j]?.[0] === id ? rows[j++] : undefined;
        const got = await ws.insert(row ? row.slice(2) : filler);
        if (got !== id) {
          throw new Error(`Cannot copy into ${to.path}: it gave id ${got} where ${id} was due`);
        }
        if (!row) gaps.push(id);
        else if ((row[1] as number) > 0) await ws.update(row);
      }
      for (const id of gaps) await ws.delete(id);
    });
    return { records: rows.length, nextId };
  } finally {
    if (opened) await from.close();
    if (!toWasOpen) await to.close();
  }
}
