// Copyright 2026 the psbase authors. MIT license.
// Copying a base into another, of any kind (a folder into a table and back),
// keeping every `__id__`, `__version__` and the next id, through the storage
// interface and each base's own locking. All or nothing: `"override"` of a
// base that opens replaces it by one change (a new generation, FORMAT.md W3;
// one transaction in PostgreSQL), so a failure or a crash leaves it whole; a
// copy that fails after creating a new base removes it again.

import type { Field, Row } from "../_field/_codec.ts";
import { path } from "../_path.ts";
import type { IndexSpec, Storage } from "../_storage/_types.ts";
import { baseInternals, kindOf } from "../_table/_kind.ts";
import type { Base } from "../base.ts";
import type { CopyReport } from "../pg.ts";

/** What a base holds, read in one consistent read. */
interface Contents {
  fields: Field[];
  indexes: IndexSpec[];
  /** Every live row, whole, in `__id__` order. */
  rows: Row[];
  nextId: number;
}

/** Whether a base is a folder (a table is named, not placed: its kind names its links). */
function isFolder(base: Base): boolean {
  return kindOf(base.constructor).links === undefined;
}

/**
 * Throws a TypeError when `from` and `to` are the same folder or one is
 * inside the other: a base's folder holds its own files only.
 */
function checkApart(from: Base, to: Base): void {
  if (!isFolder(from) || !isFolder(to)) return;
  if (from.path === to.path) throw new TypeError(`Cannot copy ${from.path} onto itself`);
  if (path.within(to.path, from.path)) {
    throw new TypeError(
      `Cannot copy ${from.path} to ${to.path}: the destination is inside the base's folder`,
    );
  }
  if (path.within(from.path, to.path)) {
    throw new TypeError(
      `Cannot copy ${from.path} to ${to.path}: the base is inside the destination's folder`,
    );
  }
}

/**
 * How a link field of `to` names the base that a field of `from` links to:
 * the base of the same last name beside `to` (a table of that name for a
 * table), whatever kinds the two are; a link of `from` to itself links `to`
 * to itself.
 */
function relink(from: Base, to: Base, field: Field): Field {
  const linked = from.schema[field.name].base!;
  const kind = kindOf(to.constructor);
  const leaf = path.basename(linked);
  const target = linked === from.path
    ? to.path
    : kind.links
    ? leaf
    : path.join(path.dirname(to.path), leaf);
  const base = kind.links
    ? kind.links.name(to.path, target)
    : path.relative(to.path, target) || ".";
  return { ...field, base };
}

/** Everything `base` (open) holds, in one read. */
async function contents(base: Base): Promise<Contents> {
  return await baseInternals().read(base, async (s: Storage) => {
    const want = Array.from({ length: s.fields.length + 1 }, (_, j) => j + 1);
    const rows = await s.select({ conds: [], want, order: [], offset: 0 });
    const next = (await s.info()).nextId; // after the rows: not below any of their ids
    if (!Number.isSafeInteger(next)) {
      throw new Error(`Cannot copy ${base.path}: its storage does not tell its next id`);
    }
    return {
      fields: s.fields.map((f) => ({ ...f })),
      indexes: s.indexes.map((ix) => ({ ...ix })),
      rows,
      nextId: next as number,
    };
  });
}

/** Whether `to` is, or can be, opened: a base there to replace whole. */
async function opens(to: Base): Promise<boolean> {
  if (to.isOpen) return true;
  try {
    await to.open();
    return true;
  } catch {
    return false; // nothing there, or nothing readable: nothing to keep
  }
}

/**
 * After the copy into `to`, which it created, failed with `failure`: removes
 * `to`. Throws when it cannot, saying so.
 */
async function undo(to: Base, failure: unknown): Promise<void> {
  try {
    await to.destroy();
  } catch (e) {
    throw new Error(
      `${(failure as Error)?.message ?? failure}; then removing ${to.path} failed too, and a ` +
        `half copy is left there (${(e as Error)?.message ?? e})`,
      { cause: failure },
    );
  }
}

/** Copies `from` into a new base `to` (see pg.ts `copyBase`). */
export async function copy(
  from: Base,
  to: Base,
  mode: "override" | undefined,
): Promise<CopyReport> {
  checkApart(from, to);
  const what = `copy ${from.path} into ${to.path}`;
  const opened = !from.isOpen;
  const toWasOpen = to.isOpen;
  if (opened) await from.open();
  try {
    const source = await contents(from);
    const fields = source.fields.map((f) => f.type === "link" ? relink(from, to, f) : f);
    // A base at `to` that opens is replaced whole; otherwise a new, empty one is made first.
    const made = !(mode === "override" && await opens(to));
    if (made) await baseInternals().create(to, fields, source.indexes, mode);
    try {
      // One change (a new generation, W3; one transaction in PostgreSQL): until it lands the
      // base at `to` stays as it was, through a failure or a crash. Ids, versions, the gaps
      // between ids and the next id are the source's.
      await baseInternals().change(to, {
        kind: "replace",
        fields,
        indexes: source.indexes,
        rows: source.rows,
        nextId: source.nextId,
        call: what,
      });
    } catch (e) {
      if (made) await undo(to, e);
      throw e;
    }
    return { records: source.rows.length, nextId: source.nextId };
  } finally {
    if (opened) await from.close();
    if (!toWasOpen) await to.close();
  }
}
