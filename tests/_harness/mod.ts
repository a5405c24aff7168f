// Copyright 2026 the psbase authors. MIT license.
/**
 * The race harness, used by the tests, scripts/demo.ts, scripts/torture.ts and
 * bench/race.ts (which imports child.ts and temp.ts only). Layout:
 *
 * - child.ts: one child process and its line protocol (start barrier,
 *   `result` line, kill -9), Deno or Node.
 * - child_main.ts + context.ts: the generic Deno child entry, which runs the
 *   child half of a named scenario.
 * - race.ts: N children at once on one base, then the checks.
 * - inspect.ts, anomalies.ts: reading a base back, and what counts as damage.
 * - scenarios/: one file per scenario, child half and verify half together;
 *   scenarios/mod.ts lists them.
 * - torture/: the campaigns of `deno task torture` (scripts/torture.ts) and
 *   tests/torture_test.ts: kill (kill.ts), starts during checkpoints
 *   (reopen.ts), the damaged-file corpus (corpus.ts), their reports.
 * - corpus/: the corpus's intact base (build.ts), its picture of the file
 *   format (format.ts) and its damage cases (cases.ts).
 * - temp.ts, time.ts: temp folders, sleeps and timeouts.
 *
 * @module
 */

export { Anomalies, type Kind, KIND_LABELS, KINDS } from "./anomalies.ts";
export {
  Child,
  type ChildCommand,
  type ChildOutput,
  DENO_CHILD,
  denoScript,
  nodeChild,
} from "./child.ts";
export { openEngine } from "./context.ts";
export { childErrors, inspectBase, type Inspection, reportedIdDuplicates } from "./inspect.ts";
export {
  type Engine,
  race,
  type RaceOptions,
  type RaceRun,
  runScenario,
  type Scenario,
  type ScenarioRun,
} from "./race.ts";
export { PLAIN_NODE_ENV, type Ran, run, type RunOptions, succeeded } from "./run.ts";
export { withTempDir } from "./temp.ts";
export { secs, sleep, within } from "./time.ts";
