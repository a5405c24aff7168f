// Copyright 2026 the psbase authors. MIT license.
// Type tests: a TypeScript consumer of the package, never run. Checked by
// tests/types_test.ts with `deno check` (the import rewritten to mod.ts) and by
// tests/npm_test.ts with `tsc --noEmit` (NodeNext, strict) against the
// installed tarball. Positive cases must compile; each `@ts-expect-error`
// must be an error, so loosening a generic to `unknown` or `any` fails here.

import {
  Base,
  BaseExistsError,
  BaseNotFoundError,
  ConflictError,
  CorruptionError,
  type FieldSpec,
  type FieldType,
  type LockHandle,
  LockTimeoutError,
  PsBase,
  type PsBaseOptions,
  PsLock,
  type RecordOf,
  type ResultSet,
  type Schema,
  type Transaction,
  type Where,
} from "psbase";

// TypeScript's own Record is not shadowed by anything the package exports.
const counts: Record<string, number> = { a: 1 };

const owners = { name: "string" } as const;
const people = {
  name: "string",
  age: { type: "int", default: 0 },
  score: "float",
  ok: "bool",
  born: "date",
  seen: "datetime",
} as const satisfies Schema;

type Person = RecordOf<typeof people>;
const nobody: Person = {
  __id__: 1,
  __version__: 0,
  name: null,
  age: null,
  score: null,
  ok: null,
  born: null,
  seen: null,
};

export async function typed(dir: string): Promise<number> {
  const o = await new PsBase(`${dir}/owners`).create(owners, { mode: "open" });
  const db = await new PsBase(`${dir}/people`).create({ ...people, owner: o }, { mode: "open" });
  const oid: number = await o.insert({ name: "Zed" });
  const id: number = await db.insert({ name: "Ada", age: 36, born: new Date(), owner: oid });
  await db.insertMany([{ name: "Bo", ok: true }, { name: null, score: 1.5 }]);

  // Records are typed from the schema literal.
  const ada = (await db.get(id))!;
  const name: string | null = ada.name;
  const age: number = (ada.age ?? 0) + 1;
  const born: Date | null = ada.born;
  const owner: string | null = ada.owner?.name ?? null;
  const version: number = ada.__version__;
  // @ts-expect-error: age is a number, not a string
  const wrong: string = ada.age;
  // @ts-expect-error: no such field
  ada.nmae;

  // Every where form, checked against the field's type.
  const w1: Where<typeof people> = { age: [18, null], name: /^A/, ok: true };
  const w2: Where<typeof people> = { name: { in: ["Ada", "Bo", null] }, born: [null, new Date()] };
  const w3: Where<typeof people> = (r) => r.age !== null && r.age > 3;
  // @ts-expect-error: a RegExp needs a string field
  const w4: Where<typeof people> = { age: /3/ };
  // @ts-expect-error: no range on a bool
  const w5: Where<typeof people> = { ok: [false, true] };
  // @ts-expect-error: a string where an int goes
  const w6: Where<typeof people> = { age: "36" };
  // @ts-expect-error: misspelled field
  await db.find({ nmae: "Ada" });

  // select returns exactly the fields asked for, plus __id__ and __version__.
  const picked = await db.select(["name", "age"], { age: [30, 40] }, { orderBy: "-age +name" });
  const first = picked[0];
  const n2: string | null = first.name;
  const i2: number = first.__id__ + first.__version__;
  // @ts-expect-error: score was not selected
  first.score;
  // @ts-expect-error: misspelled field in the list
  await db.select(["nmae"]);
  // An empty list selects every field (as at run time).
  const every: number | null = (await db.select([]))[0].score;
  // @ts-expect-error: misspelled field in the sort spec
  await db.find({}, { orderBy: "-aeg" });
  const sorted: ResultSet<Person> = (await db.find({ ok: true })).sortBy("+name-age");
  // @ts-expect-error: a default of the field's type
  await db.setDefault("age", "old");
  // @ts-expect-error: setDefault names a field of the schema
  await db.setDefault("agee", 1);
  // @ts-expect-error: a default of the new field's type
  await db.addField("rank", "int", { default: "first" });
  // @ts-expect-error: sortBy keys are the records' fields
  (await db.find()).sortBy("+nope");
  // The sort spec's grammar is the run time's: a sign needs a name, a field comes once, only
  // spaces separate keys (each of these is a TypeError at run time too: tests/query_test.ts).
  await db.find({}, { orderBy: "+ name  -age" });
  // @ts-expect-error: a sign with no name after it
  await db.find({}, { orderBy: "name-" });
  // @ts-expect-error: two signs
  await db.find({}, { orderBy: "+-name" });
  // @ts-expect-error: a field named twice
  await db.find({}, { orderBy: "+age -age" });
  // @ts-expect-error: a tab is not a separator
  await db.find({}, { orderBy: "name\t-age" });

  // insert and update take the fields' values.
  // @ts-expect-error: a string where an int goes
  await db.insert({ age: "36" });
  // @ts-expect-error: misspelled field
  await db.insert({ nmae: "Ada" });
  await db.update(ada, { age: 37, name: "Ada L." });
  // @ts-expect-error: misspelled field
  await db.update(ada, { aeg: 37 });
  await db.update(picked, { score: 2 });

  // transaction: tx is typed like the base; it returns what fn returns.
  const total: number = await db.transaction(async (tx: Transaction<typeof people>) => {
    const [r] = await tx.find({ name: "Ada" });
    await tx.update(r, { age: (r.age ?? 0) + 1 });
    return r.age ?? 0;
  });

  for await (const r of db) {
    const s: string | null = r.name;
    console.log(s);
  }
  const c: number = await db.count({ ok: true });
  await db.delete([id, ada]);

  // A base opened without the literal, typed by naming the schema once.
  const again = await new PsBase<typeof people>(`${dir}/people`).open();
  const a2 = await again.get(id);
  const a2age: number | null | undefined = a2?.age;
  // An untyped base stays usable: its fields are unknown.
  const loose = await new Base(`${dir}/people`).open();
  const l = (await loose.get(id))!;
  const lv: unknown = l.anything;
  const asBase: Base = db;

  console.log(
    name,
    age,
    born,
    owner,
    version,
    wrong,
    w1,
    w2,
    w3,
    w4,
    w5,
    w6,
    n2,
    i2,
    every,
    sorted,
  );
  return total + c + Number(a2age) + Number(lv) + Number(Boolean(asBase)) + counts.a;
}

const kind: FieldType = "datetime";
const age: FieldSpec = { type: "int", default: 0, index: true };
const schema: Schema = { name: "string", age, seen: kind };
const options: PsBaseOptions = { timeoutMs: 1000 };

export async function untyped(dir: string): Promise<number> {
  const db: Base = await new Base(`${dir}/any`).create(schema, { mode: "override" });
  const id: number = await db.insert({ name: "Ada", age: 36, seen: new Date() });
  const ada = await db.get(id);
  if (ada) {
    try {
      await db.update(ada, { age: ada.__version__ + 37 });
    } catch (e) {
      if (e instanceof ConflictError) console.log(e.id, e.expected, e.actual);
    }
  }
  const rows = (await db.select(["name", "age"], { age: [18, 200] })).sortBy("-age +name");
  await db.setDefault("age", 1);
  await db.addField("city", "string", { after: "name", default: "Paris" });
  await db.addIndex("city", { kind: "hash" });
  await db.dropIndex("city");
  await db.dropField("city");
  await db.cleanup();
  await db.commit();
  const report = await db.check();
  await db[Symbol.asyncDispose]();

  const shared = await new PsBase(`${dir}/shared`, options).create({ n: "int" }, { mode: "open" });
  {
    await using _closing = shared;
  }
  try {
    await new Base(`${dir}/none`).open();
  } catch (e) {
    if (e instanceof BaseNotFoundError) console.log(e.path);
    if (e instanceof BaseExistsError) console.log(e.differences);
  }

  const lock = new PsLock(`${dir}/lock`);
  try {
    await using held: LockHandle = await lock.acquire({ exclusive: true, timeoutMs: 10 });
    console.log(held.exclusive);
  } catch (e) {
    if (e instanceof LockTimeoutError) console.log(e.path, e.timeoutMs);
    if (e instanceof CorruptionError) console.log(e.file);
  }
  const answer: number = await lock.withLock(() => 42, { timeoutMs: 10 });
  lock.release();
  return rows.length + answer + Number(report.ok) + nobody.__id__;
}
