// Copyright 2026 the psbase authors. MIT license.
// The Node twin of the harness's Deno child (tests/_harness/child_main.ts): a
// child of the race harness (tests/_harness) that runs the INSTALLED package
// (`import ... from "psbase"`), so the harness can race Node processes alone or
// mixed with Deno ones.
//
//   node _race_child.mjs --engine=ps|plain|pg --base=<folder>|pg:<table> --scenario=<name>
//     --index=<i> [scenario options]
//
// Same protocol as tests/_harness/child_main.ts: prints "ready", waits for a
// "go" line on stdin (the start barrier), works, prints one line
// "result <json>" with { ok, error?, ops, ms, data } and exits 0. `data.runtime` says it was Node.
//
// Scenarios (same arguments and reports as tests/_harness/scenarios/<name>.ts):
//   seed     --counter=<id> --target=<id> --role=update|delete|insert
//            one transaction: read record <target> and the counter, then update
//            <target>, delete it, or insert a new record; and counter += 1.
//            Also reports data.seen: the counter value it read.
//   counter  --counter=<id> --times=<t>: t transactions, each counter += 1.
//            Also reports data.seen: the counter value each transaction read.
//   insert   --count=<c>: c inserts, one commit each; reports the ids.

import { Base, PsBase } from "psbase";

// These two must match tests/_harness/scenarios/{_schema,seed}.ts (the harness
// checks the values written).
/** Records with this `key` or more were inserted by children. */
const INSERTED_KEYS = 1_000_000;
/** The value process `i` writes in the seed scenario. */
const seedValue = (i) => 5_000_000 + i;

const opt = {};
for (const a of process.argv.slice(2)) {
  const m = /^--([^=]+)=(.*)$/s.exec(a);
  if (!m) throw new Error(`_race_child.mjs: bad argument ${JSON.stringify(a)}`);
  opt[m[1]] = m[2];
}
const engine = opt.engine;
if (engine !== "ps" && engine !== "plain" && engine !== "pg") {
  throw new Error(`_race_child.mjs: bad --engine ${engine}`);
}
const index = Number(opt.index ?? 0);
const num = (name) => {
  const v = Number(opt[name]);
  if (opt[name] === undefined || !Number.isFinite(v)) {
    throw new Error(`_race_child.mjs: missing --${name}`);
  }
  return v;
};

// The start barrier, on stdin. A closed stdin (parent gone) also starts it.
let letGo;
const go = new Promise((r) => letGo = r);
let seenIn = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  seenIn += chunk;
  if (/(^|\n)go\n/.test(seenIn)) letGo();
});
process.stdin.on("end", () => letGo());

const open = async () => {
  if (engine === "pg") {
    // --base=pg:<table>, in the database at DATABASE_URL (psbase/pg loads its client only here).
    const { PgBase } = await import("psbase/pg");
    return await new PgBase(opt.base.replace(/^pg:/, "")).open();
  }
  return await (engine === "ps" ? new PsBase(opt.base) : new Base(opt.base)).open();
};

let ops = 0;
/** What the child reports besides ok/ops/ms; filled as it goes. */
const data = { runtime: `node ${process.version}` };

/** Reads record `id` in a transaction; fails loudly if it is missing. */
async function must(tx, id) {
  const r = await tx.get(id);
  if (!r) throw new Error(`record ${id} is missing`);
  return r;
}

const scenarios = {
  async seed() {
    const counter = num("counter");
    const target = num("target");
    const role = opt.role;
    const v = seedValue(index);
    const db = await open();
    let inserted;
    let seen;
    try {
      await db.transaction(async (tx) => {
        const r = await must(tx, target);
        const c = await must(tx, counter);
        if (role === "update") await tx.update(r, { a: v, b: v, owner: index });
        else if (role === "delete") await tx.delete(r);
        else if (role === "insert") {
          inserted = await tx.insert({
            key: INSERTED_KEYS + index,
            a: v,
            b: v,
            owner: index,
            note: "insert",
          });
        } else throw new Error(`bad --role ${role}`);
        seen = c.n;
        await tx.update(c, { n: c.n + 1 });
      });
      ops += 4; // counted once committed: two reads, two writes
      data.inserted = inserted;
      data.seen = seen;
    } finally {
      await db.close();
    }
  },

  async counter() {
    const counter = num("counter");
    const times = num("times");
    const db = await open();
    const seen = [];
    data.seen = seen;
    try {
      for (let t = 0; t < times; t++) {
        let n;
        await db.transaction(async (tx) => {
          const c = await must(tx, counter);
          n = c.n;
          await tx.update(c, { n: c.n + 1 });
        });
        ops += 2;
        seen.push(n);
        data.acked = t + 1; // increments this process was told committed
      }
    } finally {
      await db.close();
    }
  },

  async insert() {
    const count = num("count");
    const db = await open();
    const ids = [];
    data.ids = ids;
    try {
      for (let j = 0; j < count; j++) {
        ids.push(
          await db.insert({ key: index * count + j, a: j, b: j, owner: index, note: `p${index}` }),
        );
        ops++;
      }
    } finally {
      await db.close();
    }
  },
};

/** Writes `line` to stdout and resolves once it is flushed. */
function say(line) {
  return new Promise((resolve) => process.stdout.write(line + "\n", resolve));
}

const run = scenarios[opt.scenario];
if (!run) throw new Error(`_race_child.mjs: unknown --scenario ${opt.scenario}`);
await say("ready");
await go;
const t0 = performance.now();
let result;
try {
  await run();
  result = { ok: true, ops, ms: performance.now() - t0, data };
} catch (e) {
  const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  result = { ok: false, error, ops, ms: performance.now() - t0, data };
}
await say("result " + JSON.stringify(result));
process.exit(0);
