// Copyright 2026 the psbase authors. MIT license.
// Child process of the race harness (scripts/_race.ts) for tests/race_test.ts
// and scripts/demo.ts: one real process working on a shared base.
//
//   deno run --allow-all tests/race_child.ts --engine=ps|plain|pg|pg-nolock --base=<folder>
//     --scenario=<name> --index=<i> [scenario options]
//
// `--engine=ps` uses PsBase; `--engine=plain` uses Base, with NO cross-process
// lock: the negative control. `--engine=pg` uses PgBase (--base=pg:<table>, the
// database at DATABASE_URL); `--engine=pg-nolock` PgBase without its lock.
// Protocol: prints "ready", waits for a "go" line
// on stdin (the start barrier), works, prints one line "result <json>" with
// { ok, error?, ops, ms, data } and exits. Background roles (readers) run
// until a "stop" line arrives on stdin.
//
// Scenarios (the checks that go with them are in scripts/_race.ts):
//   seed     --counter=<id> --target=<id> --role=update|delete|insert
//            one transaction: read record <target> and the counter, then
//            update <target>, delete it, or insert a new record; and
//            increment the counter.
//   counter  --counter=<id> --times=<t>: t transactions, each counter += 1.
//   insert   --count=<c>: c inserts, one commit each; reports the ids.
//   rw       --role=writer --writers=<w> --ops=<k>: update / delete / insert
//            its own records (owner = index); reports the final state it
//            expects. --role=reader [--delay=<ms>]: reads in a loop and
//            reports every violation it saw.
//   schema   --role=admin --base-count=<n> --inserts=<m>: addField, setDefault,
//            delete, dropField, cleanup, while --role=worker --counter=<id>
//            --rounds=<r> increment and insert, then wait for the new field.
//   hold     --counter=<id> --victims=<id,...>: opens a transaction that
//            writes, prints "holding" and waits to be killed.
//   stream   --counter=<id> [--checkpoint=<bytes>]: commits transactions (an
//            atomic group of 3 inserts + counter += 1) in a loop, printing
//            "committed <s>" after each, until killed.
//   cmd      --ops=<json>: runs [[method, ...args], ...] on the base in order;
//            reports each call's result.

import type { Base, RecordOf, Transaction } from "../mod.ts";
import { type Engine, INSERTED_KEYS, openEngine, seedValue, sleep } from "../scripts/_race.ts";
import { rng } from "../scripts/_rng.ts";

const opt: { [k: string]: string } = {};
for (const a of Deno.args) {
  const m = /^--([^=]+)=(.*)$/s.exec(a);
  if (!m) throw new Error(`race_child: bad argument ${JSON.stringify(a)}`);
  opt[m[1]] = m[2];
}
const engine = opt.engine as Engine;
if (!["ps", "plain", "pg", "pg-nolock"].includes(engine)) {
  throw new Error(`race_child: bad --engine ${engine}`);
}
const basePath = opt.base;
const index = Number(opt.index ?? 0);
const num = (name: string, dflt?: number): number => {
  const v = opt[name] === undefined ? dflt : Number(opt[name]);
  if (v === undefined || !Number.isFinite(v)) throw new Error(`race_child: missing --${name}`);
  return v;
};

const encoder = new TextEncoder();
function say(line: string): void {
  const bytes = encoder.encode(line + "\n");
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

// The start barrier and the stop signal, both on stdin.
let stopRequested = false;
let letGo!: () => void;
const go = new Promise<void>((r) => letGo = r);
(async () => {
  const decoder = new TextDecoder();
  let seen = "";
  for await (const chunk of Deno.stdin.readable) {
    seen += decoder.decode(chunk, { stream: true });
    if (/(^|\n)go\n/.test(seen)) letGo();
    if (/(^|\n)stop\n/.test(seen)) stopRequested = true;
  }
  // Parent gone or stdin closed: start (if not yet) and stop.
  stopRequested = true;
  letGo();
})();

const random = rng(index * 7919 + 17);
const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];

let ops = 0;
const TRACE = Deno.env.get("RACE_TRACE") === "1";
function trace(msg: string): void {
  if (TRACE) console.error(`[${index}] ${msg}`);
}

function open(options: { checkpointBytes?: number } = {}): Promise<Base> {
  return openEngine(engine, basePath, options).open();
}

/** Reads record `id` inside a transaction (counting one op unless `count` is false); fails loudly if it is missing. */
async function must(tx: Transaction, id: number, count = true): Promise<RecordOf> {
  const r = await tx.get(id);
  if (count) ops++;
  if (!r) throw new Error(`record ${id} is missing`);
  return r;
}

/**
 * What the child reports besides ok/ops/ms. Scenarios fill it as they go, so
 * a child that fails half-way still reports what it was told (e.g. the ids of
 * the inserts that were acknowledged before the failure).
 */
const data: { [k: string]: unknown } = {};

const scenarios: { [name: string]: () => Promise<unknown> } = {
  async seed() {
    const counter = num("counter");
    const target = num("target");
    const role = opt.role;
    const v = seedValue(index);
    const db = await open();
    let inserted: number | undefined;
    try {
      await db.transaction(async (tx) => {
        const r = await must(tx, target, false);
        const c = await must(tx, counter, false);
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
        await tx.update(c, { n: (c.n as number) + 1 });
      });
      ops += 4; // counted once committed: two reads, two writes
      data.inserted = inserted;
    } finally {
      await db.close();
    }
  },

  async counter() {
    const counter = num("counter");
    const times = num("times");
    const db = await open();
    try {
      for (let t = 0; t < times; t++) {
        await db.transaction(async (tx) => {
          const c = await must(tx, counter, false);
          await tx.update(c, { n: (c.n as number) + 1 });
        });
        ops += 2;
        data.acked = t + 1; // increments this process was told committed
      }
    } finally {
      await db.close();
    }
  },

  async insert() {
    const count = num("count");
    const db = await open();
    const ids: number[] = [];
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

  rw() {
    return opt.role === "writer" ? rwWriter() : rwReader();
  },

  schema() {
    return opt.role === "admin" ? schemaAdmin() : schemaWorker();
  },

  async hold() {
    const counter = num("counter");
    const victims = (opt.victims ?? "").split(",").filter(Boolean).map(Number);
    const db = await open();
    await db.transaction(async (tx) => {
      const c = await must(tx, counter);
      await tx.update(c, { n: 999_999, a: -1, b: -1 });
      for (let k = 0; k < 10; k++) {
        await tx.insert({ key: 9_000_000 + k, a: k, b: k, note: "killed" });
      }
      await tx.delete(victims);
      say("holding");
      await sleep(600_000); // until SIGKILL
    });
    throw new Error("hold: was not killed");
  },

  async stream() {
    const counter = num("counter");
    const db = await open({ checkpointBytes: num("checkpoint", 64 * 1024) });
    for (let s = 0;; s++) {
      await db.transaction(async (tx) => {
        const c = await must(tx, counter);
        const v = index * 1_000_000 + s;
        await tx.insertMany(
          [0, 1, 2].map((g) => ({ key: v * 3 + g, a: v, b: v, owner: index, note: `s${v}` })),
        );
        await tx.update(c, {
          n: (c.n as number) + 1,
          a: (c.a as number) + 1,
          b: (c.b as number) + 1,
        });
        ops += 2;
      });
      say(`committed ${s}`);
    }
  },

  async cmd() {
    const list = JSON.parse(opt.ops) as Array<[string, ...unknown[]]>;
    const db = await open();
    const results: unknown[] = [];
    data.results = results;
    try {
      for (const [method, ...args] of list) {
        const fn = (db as unknown as { [m: string]: (...a: unknown[]) => Promise<unknown> })[
          method
        ];
        if (typeof fn !== "function") throw new Error(`cmd: no method ${method}`);
        results.push((await fn.apply(db, args)) ?? null);
        ops++;
      }
    } finally {
      await db.close();
    }
  },
};

async function rwWriter() {
  const writers = num("writers");
  const k = num("ops");
  const db = await open();
  try {
    const mine = await db.find({ owner: index });
    ops++;
    const state = new Map<number, number | null>(mine.map((r) => [r.__id__, r.a as number]));
    const live = mine.map((r) => r.__id__);
    data.final = state; // a Map: turned into [id, value] pairs when reported
    const deletable = new Set(live);
    for (let s = 0; s < k; s++) {
      const v = 10_000_000 + index * 100_000 + s;
      const key = INSERTED_KEYS + (index + writers * s) * 3;
      switch (s % 5) {
        case 0: { // read-modify-write in a transaction
          const id = pick(live);
          await db.transaction(async (tx) => {
            const r = await must(tx, id);
            await tx.update(r, { a: v, b: v });
          });
          ops++;
          state.set(id, v);
          break;
        }
        case 1: { // read, then update guarded by __version__ (only this process writes it)
          const id = pick(live);
          const r = await db.get(id);
          if (!r) throw new Error(`own record ${id} vanished`);
          await db.update(r, { a: v, b: v });
          ops += 2;
          state.set(id, v);
          break;
        }
        case 2: { // delete
          const candidates = live.filter((id) => deletable.has(id));
          const id = pick(candidates);
          const n = await db.delete(id);
          ops++;
          if (n !== 1) throw new Error(`delete(${id}) deleted ${n}`);
          state.set(id, null);
          live.splice(live.indexOf(id), 1);
          deletable.delete(id);
          break;
        }
        case 3: { // single insert
          const id = await db.insert({ key, a: v, b: v, owner: index, note: "single" });
          ops++;
          state.set(id, v);
          live.push(id);
          deletable.add(id);
          break;
        }
        default: { // an atomic group of 3: readers must see all or none
          const ids = await db.insertMany(
            [0, 1, 2].map((g) => ({ key: key + g, a: v, b: v, owner: index, note: `g${v}` })),
          );
          ops++;
          for (const id of ids) {
            state.set(id, v);
            live.push(id);
          }
        }
      }
    }
  } finally {
    await db.close();
  }
}

async function rwReader() {
  const delay = num("delay", 0);
  const db = await open();
  const violations: string[] = [];
  const flag = (v: string) => {
    if (violations.length < 20) violations.push(v);
  };
  const gone = new Set<number>();
  const maxVersion = new Map<number, number>();
  let lastFull: Set<number> | undefined;
  let lastSig = "";
  let reads = 0;
  let changes = 0;
  try {
    while (!stopRequested || reads < 6) {
      const kind = reads % 6;
      trace(`read ${reads} kind ${kind} stop=${stopRequested}`);
      let rows: RecordOf[] = [];
      let full = false;
      let range: [number, number] | undefined;
      if (kind === 0) {
        rows = await db.select();
        full = true;
      } else if (kind === 1) {
        for await (const r of db) rows.push(r);
        full = true;
      } else if (kind === 2) {
        const lo = Math.floor(random() * 1000);
        range = [lo, lo + 150];
        rows = await db.select(["key", "a", "b"], { key: range });
      } else if (kind === 3) {
        const [count, all] = await db.transaction(async (tx) =>
          [await tx.count(), await tx.select()] as const
        );
        if (count !== all.length) {
          flag(`count() ${count} != ${all.length} rows, in one transaction`);
        }
        rows = all;
        full = true;
      } else if (kind === 4) {
        rows = await db.find({ note: "single" });
        for (const r of rows) if (r.note !== "single") flag(`find gave note ${r.note}`);
      } else {
        const known = [...maxVersion.keys()];
        for (let j = 0; j < 20 && known.length; j++) {
          const id = pick(known);
          const r = await db.get(id);
          if (r) rows.push(r);
          else gone.add(id);
        }
        rows = [...new Map(rows.map((r) => [r.__id__, r])).values()];
      }
      ops++;
      reads++;
      const seen = new Set<number>();
      for (const r of rows) {
        const id = r.__id__;
        if (seen.has(id)) flag(`id ${id} twice in one read (kind ${kind})`);
        seen.add(id);
        if (r.a !== r.b) flag(`torn row ${id}: a=${r.a} b=${r.b} (kind ${kind})`);
        if (gone.has(id)) flag(`deleted record ${id} reappeared (kind ${kind})`);
        const mv = maxVersion.get(id) ?? -1;
        if (r.__version__ < mv) {
          flag(`record ${id} went back from version ${mv} to ${r.__version__}`);
        } else maxVersion.set(id, r.__version__);
        if (range && ((r.key as number) < range[0] || (r.key as number) > range[1])) {
          flag(`select range ${range} returned key ${r.key}`);
        }
      }
      if (full) {
        const groups = new Map<string, number>();
        for (const r of rows) {
          const note = r.note as string;
          if (note.startsWith("g")) groups.set(note, (groups.get(note) ?? 0) + 1);
        }
        for (const [g, n] of groups) if (n !== 3) flag(`group ${g} seen with ${n} of 3 records`);
        if (lastFull) { for (const id of lastFull) if (!seen.has(id)) gone.add(id); }
        lastFull = seen;
        const sig = `${rows.length}:${rows.reduce((s, r) => s + r.__version__, 0)}`;
        if (lastSig && sig !== lastSig) changes++;
        lastSig = sig;
      }
      trace(`read ${reads} done`);
      // Always a macrotask: a PsBase read that gets the lock at once resolves in
      // microtasks only, and a loop of those would never let stdin's "stop" in.
      await sleep(delay);
    }
    trace("loop ended");
  } finally {
    await db.close();
  }
  Object.assign(data, { reads, changes, violations });
}

async function schemaAdmin() {
  const baseCount = num("base-count");
  const inserts = num("inserts");
  const db = await open();
  const at: { [step: string]: number } = {};
  Object.assign(data, { at, inserts });
  const waitInserted = async (fraction: number) => {
    for (;;) {
      const n = (await db.count()) - baseCount;
      ops++;
      if (n >= fraction * inserts) return n;
      await sleep(2);
    }
  };
  try {
    at.addField = await waitInserted(0.2);
    await db.addField("tag", "string", { default: "old" });
    ops++;
    at.setDefault = await waitInserted(0.4);
    await db.setDefault("tag", "new");
    ops++;
    at.delete = await waitInserted(0.6);
    const evens = (await db.select(["key"], { note: "seed" })).filter((r) =>
      (r.key as number) % 2 === 0
    );
    const deleted = await db.delete(evens);
    await db.dropField("scratch");
    at.cleanup = (await db.count()) - baseCount + deleted;
    await db.cleanup();
    ops += 4;
    data.deleted = deleted;
  } finally {
    await db.close();
  }
}

async function schemaWorker() {
  const counter = num("counter");
  const rounds = num("rounds");
  const db = await open();
  const inserted: Array<[number, number, unknown]> = [];
  data.inserted = inserted;
  try {
    for (let r = 0; r < rounds; r++) {
      await db.transaction(async (tx) => {
        const c = await must(tx, counter);
        await tx.update(c, { n: (c.n as number) + 1 });
        ops++;
      });
      const key = 2_000_000 + index * 1000 + r;
      await db.transaction(async (tx) => {
        const id = await tx.insert({ key, a: r, b: r, owner: index, note: "w" });
        const back = await must(tx, id);
        inserted.push([id, key, back.tag]);
        ops++;
      });
      const mine = await db.select(["key"], { owner: index });
      ops++;
      if (mine.length !== r + 1) {
        throw new Error(`after ${r + 1} inserts, select sees ${mine.length} of them`);
      }
    }
    let sawTag = false;
    const until = performance.now() + 30_000;
    while (!sawTag && performance.now() < until) {
      const c = await db.get(counter);
      ops++;
      sawTag = c !== undefined && "tag" in c;
      if (!sawTag) await sleep(10);
    }
    data.sawTag = sawTag;
  } finally {
    await db.close();
  }
}

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Map ? [...value] : value;
}

const run = scenarios[opt.scenario];
if (!run) throw new Error(`race_child: unknown --scenario ${opt.scenario}`);
say("ready");
await go;
const t0 = performance.now();
try {
  await run();
  say("result " + JSON.stringify({ ok: true, ops, ms: performance.now() - t0, data }, replacer));
} catch (e) {
  const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  say(
    "result " +
      JSON.stringify({ ok: false, error, ops, ms: performance.now() - t0, data }, replacer),
  );
}
Deno.exit(0);
