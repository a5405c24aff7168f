// Copyright 2026 the psbase authors. MIT license.
// Turning rows into the records callers see: values decoded by their field
// type, link fields resolved to the linked base's records.

import type { Field, Row } from "../_field/_codec.ts";
import { decode } from "./_schema.ts";
import type { Rec } from "./_work.ts";

/** Reads linked records by id (a linked base's side of link resolution). */
export type LinkReader = (ids: number[]) => Promise<Map<number, Rec>>;

/**
 * Decodes `rows` (positions `want` filled) into records; each link field's
 * ids are read in one call through `link(field)`. `made` sees the records
 * before their links are resolved (so a cycle of links can end at them).
 */
export async function toRecords(
  rows: Row[],
  want: number[],
  fields: readonly Field[],
  link: (field: Field) => Promise<LinkReader>,
  made?: (recs: Rec[]) => void,
): Promise<Rec[]> {
  const out: Rec[] = [];
  const links: Array<[Field, number]> = [];
  for (const k of want) {
    if (k >= 2 && fields[k - 2].type === "link") links.push([fields[k - 2], k]);
  }
  for (const row of rows) {
    const r: Rec = { __id__: row[0] as number, __version__: row[1] as number };
    for (const k of want) if (k >= 2) r[fields[k - 2].name] = decode(fields[k - 2], row[k]);
    out.push(r);
  }
  made?.(out);
  for (const [f, k] of links) {
    const ids = [...new Set(rows.map((r) => r[k]).filter((v) => v !== null))] as number[];
    if (!ids.length) continue;
    const found = await (await link(f))(ids);
    for (const r of out) {
      if (r[f.name] !== null) r[f.name] = found.get(r[f.name] as number) ?? null;
    }
  }
  return out;
}
