// Copyright 2026 the psbase authors. MIT license.
/**
 * The starts-during-checkpoint mode (issue 8, defect 1): one process loops
 * `cleanup()` while others loop `open(); count(); close()` or refresh a
 * long-lived base (scenarios/reopen.ts).
 *
 * @module
 */

import { runScenario } from "../race.ts";
import { reopenScenario, type ReopenTally, tallyReopen } from "../scenarios/reopen.ts";

/**
 * Runs the cleaner for `ms` milliseconds against `processes - 1` openers and
 * refreshers on a fresh base under `dir`; returns their tally (and the
 * anomalies of a child that failed outright, as messages).
 */
export async function reopenCampaign(
  o: { dir: string; ms: number; processes?: number; records?: number },
): Promise<ReopenTally> {
  const run = await runScenario(reopenScenario({ ms: o.ms, records: o.records ?? 200 }), {
    engine: "ps",
    processes: o.processes ?? 3,
    dir: o.dir,
  });
  const t = tallyReopen(run.outputs);
  for (const out of run.outputs) {
    if (!out.ok) {
      t.failures++;
      t.messages.push(`process ${out.index} failed: ${out.error}`);
    }
  }
  return t;
}
