// Copyright 2026 the psbase authors. MIT license.
// A cold child on psbase (`PsBase`): the seed's job up to `--stage`, see
// _cold_job.ts. The same script runs on the table with and without an index.
//   deno run --allow-all bench/_cold_child_psbase.ts --base=<folder> --key=<k> --stage=job

import { PsBase } from "../mod.ts";
import { coldArgs, done, reaches } from "./_cold_job.ts";

const a = coldArgs();
let id: number | undefined;
if (reaches(a.stage, "open")) {
  const db = await new PsBase(a.base).open();
  try {
    if (reaches(a.stage, "find")) {
      id = await db.transaction(async (tx) => {
        const found = await tx.find({ key: a.key });
        if (found.length !== 1) throw new Error(`${found.length} records with key ${a.key}`);
        const r = found[0];
        if (reaches(a.stage, "job")) await tx.update(r, { n: (r.n as number) + 1 });
        return r.__id__;
      });
    }
  } finally {
    await db.close();
  }
}
done(id);
