// Copyright 2026 the psbase authors. MIT license.
// A race child that opens nothing: the Deno runtime and the race protocol
// alone. The race subtracts its CPU from the engines' (see _race_job.ts).

import { runChild } from "./_race_job.ts";

await runChild(() => Promise.resolve({}));
