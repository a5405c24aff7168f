// Copyright 2026 the psbase authors. MIT license.
// The API contract (tests/_api_suite.ts) against every kind of base: Base and
// PsBase in temp folders, PgBase in tables of a PostgreSQL cluster of the
// test's own (tests/_pg_server.ts), each case in fresh tables.

import { join } from "node:path";
import { Base, PsBase } from "../mod.ts";
import { PgBase } from "../pg.ts";
import { CASES } from "./_api_suite.ts";
import { withTempDir } from "./_harness/temp.ts";
import { pgMissing, withPg } from "./_pg_server.ts";

for (const [kind, Kind] of [["Base", Base], ["PsBase", PsBase]] as const) {
  for (const [name, fn] of CASES) {
    Deno.test(`${kind}: ${name}`, async () => {
      await withTempDir((dir) => fn({ kind, make: (n) => new Kind(join(dir, n)) }));
    });
  }
}

const missing = await pgMissing();
Deno.test({
  name: "PgBase: the API contract, each case in fresh tables of a PostgreSQL 15 cluster",
  ignore: missing !== undefined,
  async fn(t) {
    await withPg(async ({ url }) => {
      for (const [i, [name, fn]] of CASES.entries()) {
        await t.step(
          name,
          () => fn({ kind: "PgBase", make: (n) => new PgBase(`c${i}_${n}`, { url }) }),
        );
      }
    });
  },
});
if (missing) console.log(`PgBase API tests skipped: ${missing}`);
