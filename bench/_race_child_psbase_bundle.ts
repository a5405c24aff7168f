// Copyright 2026 the psbase authors. MIT license.
// A race child on psbase loaded from its bundle (dist/deno/mod.js, written
// by `deno task build`; the bundle engine builds it first): the same job as
// _race_child_psbase.ts. Imported by a computed URL, so that type-checking
// this file does not need the bundle built.
//   deno run --allow-all bench/_race_child_psbase_bundle.ts --base=<folder> --job=<json>

import { racePsbase } from "./_race_psbase.ts";

const bundle = new URL("../dist/deno/mod.js", import.meta.url).href;
const { PsBase } = await import(bundle) as typeof import("../mod.ts");
await racePsbase(PsBase);
