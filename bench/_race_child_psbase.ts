// Copyright 2026 the psbase authors. MIT license.
// A race child on psbase (`PsBase`, from the sources): the seed's job, see
// _race_psbase.ts. The same script races the table with and without an index
// on `key`.
//   deno run --allow-all bench/_race_child_psbase.ts --base=<folder> --job=<json>

import { PsBase } from "../mod.ts";
import { racePsbase } from "./_race_psbase.ts";

await racePsbase(PsBase);
