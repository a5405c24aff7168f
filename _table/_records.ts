// Copyright 2026 the psbase authors. MIT license.
// Turning rows into the records callers see.

import { ResultSet } from "../_query/_result_set.ts";
import type { Record } from "../_types.ts";

/** Applies a predicate `where` (filtered here, after the storage's scan) and the field list. */
export async function filterRecords(
  records: Promise<ResultSet>,
  names: string[],
  where: unknown,
): Promise<ResultSet> {
  const all = await records;
  if (typeof where !== "function") return all;
  const out = new ResultSet();
  for (const r of all) {
    if (!where(r)) continue;
    if (!names.length) out.push(r);
    else {
      const p: Record = { __id__: r.__id__, __version__: r.__version__ };
      for (const n of names) p[n] = r[n];
      out.push(p);
    }
  }
  return out;
}
