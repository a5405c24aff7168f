// Copyright 2026 the psbase authors. MIT license.
// Sort specs: "+name -age", and Buzhug's "+name-birth" (no spaces).

import { show } from "../_show.ts";

/** One sort key: a field name and its direction. */
export interface OrderKey {
  name: string;
  desc: boolean;
}

const KEY = / *([+-]?) *([A-Za-z_][A-Za-z0-9_]*) */y;

/**
 * Parses a sort spec into keys; `what` names the caller in errors. Each key is
 * a field name with an optional `+` (ascending, the default) or `-` before it;
 * keys are separated by spaces or by the next key's sign; a field is named
 * once. The grammar `SortSpec` (_types.ts) checks at compile time.
 */
export function parseOrder(spec: unknown, what: string): OrderKey[] {
  if (typeof spec !== "string" || spec.trim() === "") {
    throw new TypeError(
      `Cannot ${what}: expected a sort spec like "+name -age", got ${show(spec)}`,
    );
  }
  const keys: OrderKey[] = [];
  KEY.lastIndex = 0;
  while (KEY.lastIndex < spec.length) {
    const at = KEY.lastIndex;
    const m = KEY.exec(spec);
    if (!m) {
      throw new TypeError(`Cannot ${what}: malformed sort spec ${show(spec)} at offset ${at}`);
    }
    if (keys.some((k) => k.name === m[2])) {
      throw new TypeError(
        `Cannot ${what}: field ${show(m[2])} is in the sort spec ${show(spec)} twice`,
      );
    }
    keys.push({ name: m[2], desc: m[1] === "-" });
  }
  return keys;
}
