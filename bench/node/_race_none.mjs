// Copyright 2026 the psbase authors. MIT license.
// A Node race child that loads no engine: bare `node` and the race protocol.
// The race subtracts its CPU from the engines'.

import { runChild } from "./_race_job.mjs";

await runChild(() => Promise.resolve({}));
