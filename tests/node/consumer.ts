// Copyright 2026 the psbase authors. MIT license.
// A TypeScript consumer of the npm package, compiled by tests/npm_test.ts with
// `tsc --noEmit` (module/moduleResolution NodeNext, strict, skipLibCheck false)
// against the installed types. Never run; Deno does not check it (it imports "psbase").

import {
  Base,
  ConflictError,
  CorruptionError,
  type FieldSpec,
  type FieldType,
  type LockHandle,
  LockTimeoutError,
  PsBase,
  type PsBaseOptions,
  PsLock,
  type Record,
  ResultSet,
  type Schema,
  type Where,
} from "psbase";

const kind: FieldType = "datetime";
const age: FieldSpec = { type: "int", default: 0 };
const schema: Schema = { name: "string", age, seen: kind };
const adults: Where = { age: [18, 200], name: /^A/ };
const odd: Where = (r: Record) => (r.__id__ & 1) === 1;
const options: PsBaseOptions = { timeoutMs: 1000 };

export async function main(dir: string): Promise<number> {
  const db: Base = await new Base(`${dir}/people`).create(schema, { mode: "override" });
  const id: number = await db.insert({ name: "Ada", age: 36, seen: new Date() });
  const ids: number[] = await db.insertMany([{ name: "Bo" }, { name: "Cy", age: 9 }]);
  const ada: Record | undefined = await db.get(id);
  if (ada) {
    const version: number = ada.__version__;
    try {
      await db.update(ada, { age: version + 37 });
    } catch (e) {
      if (e instanceof ConflictError) console.log(e.id, e.expected, e.actual);
    }
  }
  const rows: ResultSet = (await db.select(["name", "age"], adults)).sortBy("-age +name");
  const names: string[] = Array.from(rows, (r) => String(r.name));
  const isResultSet: boolean = rows instanceof ResultSet;
  const found: Record[] = await db.find(odd);
  const has: boolean = await db.has(ids[0]);
  const n: number = await db.count();
  await db.transaction(async (tx) => {
    const r = await tx.get(id);
    if (r) await tx.update(r, { age: (r.age as number) + 1 });
  });
  for await (const r of db) console.log(r.__id__);
  await db.setDefault("age", 1);
  await db.addField("city", "string", { after: "name", default: "Paris" });
  await db.dropField("city");
  await db.delete([id, ...ids]);
  await db.cleanup();
  await db.commit();
  await db[Symbol.asyncDispose]();

  const shared = await new PsBase(`${dir}/shared`, options).create({ n: "int" }, { mode: "open" });
  {
    await using _closing = shared;
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

  return names.length + found.length + Number(has) + Number(isResultSet) + n + answer;
}
