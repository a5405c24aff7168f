// Copyright 2026 the psbase authors. MIT license.
// A cold child on psbase loaded from its bundle (dist/deno/mod.js, written
// by `deno task build`; the bundle engine builds it first): the same job as
// _cold_child_psbase.ts. The bundle is imported by a computed URL, so that
// type-checking this file does not need it built.
//   deno run --allow-all bench/_cold_child_psbase_bundle.ts --base=<folder> --key=<k> --stage=job

import { coldPsbase } from "./_cold_psbase.ts";

const bundle = new URL("../dist/deno/mod.js", import.meta.url).href;
const { PsBase } = await import(bundle) as typeof import("../mod.ts");
await coldPsbase(PsBase);
