// Copyright 2026 the psbase authors. MIT license.
// A race child that opens nothing: the Deno runtime alone, for reference in
// the memory figure. See _race_job.ts.

import { runChild } from "./_race_job.ts";

await runChild(() => Promise.resolve({}));
