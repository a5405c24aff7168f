// Copyright 2026 the psbase authors. MIT license.
// A cold Node child that loads no engine: bare `node` and the cold child's
// own code. bench/cold.ts subtracts its CPU from every Node child's.

import { coldArgs, done } from "./_cold_job.mjs";

coldArgs();
done();
