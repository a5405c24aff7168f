// Copyright 2026 the psbase authors. MIT license.
// A cold child that loads no engine: the Deno runtime and the cold child's
// own code alone. bench/cold.ts subtracts its CPU from every other child's.
// See _cold_job.ts.

import { coldArgs, done } from "./_cold_job.ts";

coldArgs();
done();
