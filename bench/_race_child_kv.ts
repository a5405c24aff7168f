// Copyright 2026 the psbase authors. MIT license.
// A race child on Deno KV (a file, --unstable-kv): the seed's job, see
// _race_job.ts. KV has no lock: the job is one atomic commit guarded by the
// versionstamps it read, retried until no one else wrote in between.
//   deno run --allow-all --unstable-kv bench/_race_child_kv.ts --base=<file> --index=<i>

import { COUNTER_ID, runChild } from "./_race_job.ts";
import { KV_NEXT_ID, kvKey, kvRecord, type KvValue } from "./_shapes.ts";

/** Runs `step`, naming `what` in its error. */
async function phase<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    throw new Error(`${what}: ${e instanceof Error ? e.message : e}`);
  }
}

await runChild(async (job, path) => {
  const kv = await phase("openKv", () => Deno.openKv(path));
  try {
    for (let retries = 0;; retries++) {
      const [r, c, next] = await phase(
        "getMany",
        () =>
          kv.getMany<[KvValue, KvValue, number]>([
            kvKey(job.target),
            kvKey(COUNTER_ID),
            KV_NEXT_ID,
          ]),
      );
      if (!r.value || !c.value) {
        throw new Error(`record ${r.value ? COUNTER_ID : job.target} is missing`);
      }
      const [rec, counter] = [kvRecord(r as Deno.KvEntry<KvValue>), c.value];
      const op = kv.atomic().check(r, c);
      let id: number | undefined;
      if (job.role === "update") {
        op.set(r.key, {
          ...r.value,
          n: job.value,
          x: job.value + 0.5,
          version: rec.__version__ + 1,
        });
      } else if (job.role === "delete") op.delete(r.key);
      else {
        id = next.value!;
        op.check(next).set(KV_NEXT_ID, id + 1).set(kvKey(id), { ...job.insert, version: 0 });
      }
      op.set(c.key, { ...counter, n: counter.n + 1, version: counter.version + 1 });
      if ((await phase("commit", () => op.commit())).ok) return { id, retries };
    }
  } finally {
    kv.close();
  }
});
