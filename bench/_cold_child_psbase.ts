// Copyright 2026 the psbase authors. MIT license.
// A cold child on psbase (`PsBase`, from the sources): the seed's job up to
// `--stage`, see _cold_psbase.ts. The same script runs on the table with and
// without an index.
//   deno run --allow-all bench/_cold_child_psbase.ts --base=<folder> --key=<k> --stage=job

import { PsBase } from "../mod.ts";
import { coldPsbase } from "./_cold_psbase.ts";

await coldPsbase(PsBase);
