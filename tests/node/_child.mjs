// Copyright 2026 the psbase authors. MIT license.
// A second Node process for the cross-process tests, using the installed package.
//
//   hold <lockPath>                  acquire, print "held", release when stdin closes
//   try <lockPath> <timeoutMs>       print "acquired" or "timeout" (LockTimeoutError)
//   try-koffi <lockPath> <timeoutMs> the same, then how koffi was loaded: "native" (its
//                                    native module only) or "loader" (koffi's own loader)
//   insert <basePath> <n> <tag>      PsBase: n inserts of { tag, i }, print the ids as JSON
//   increment <basePath> <id> <n>    PsBase: n read-modify-write transactions n += 1
//   hold-base <basePath>             PsBase: hold a transaction, print "held", end on stdin close
//   fields-write <dir>               _fields.mjs: write every field type, print the expected JSON
//   fields-dump <dir>                _fields.mjs: read them back, print the dump as JSON

import { createRequire } from "node:module";
import { LockTimeoutError, PsBase, PsLock } from "psbase";
import { dumpFields, writeFields } from "./_fields.mjs";

const [mode, path, a, b] = process.argv.slice(2);

function stdinClosed() {
  return new Promise((resolve) => {
    process.stdin.on("data", () => {});
    process.stdin.on("end", resolve);
    process.stdin.on("close", resolve);
  });
}

switch (mode) {
  case "hold": {
    const held = await new PsLock(path).acquire();
    console.log("held");
    await stdinClosed();
    held.release();
    break;
  }
  case "try": {
    try {
      const held = await new PsLock(path).acquire({ timeoutMs: Number(a) });
      console.log("acquired");
      held.release();
    } catch (e) {
      if (!(e instanceof LockTimeoutError)) throw e;
      console.log("timeout");
    }
    break;
  }
  case "try-koffi": {
    let result = "acquired";
    try {
      const held = await new PsLock(path).acquire({ timeoutMs: Number(a) });
      held.release();
    } catch (e) {
      if (!(e instanceof LockTimeoutError)) throw e;
      result = "timeout";
    }
    // koffi's loader requires its platform package's index.js; the direct
    // path requires only the native module in it.
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    const native = loaded.some((f) => f.endsWith("koffi.node"));
    const loader = loaded.some((f) => /@koromix[\\/]koffi-[^\\/]+[\\/]index\.js$/.test(f));
    console.log(`${result} ${native && !loader ? "native" : loader ? "loader" : "none"}`);
    break;
  }
  case "insert": {
    const db = await new PsBase(path, { timeoutMs: 30_000 }).open();
    const ids = [];
    for (let i = 0; i < Number(a); i++) ids.push(await db.insert({ tag: b, i }));
    await db.close();
    console.log(JSON.stringify(ids));
    break;
  }
  case "increment": {
    const db = await new PsBase(path, { timeoutMs: 30_000 }).open();
    for (let i = 0; i < Number(b); i++) {
      await db.transaction(async (tx) => {
        const r = await tx.get(Number(a));
        await tx.update(r, { i: r.i + 1 });
      });
    }
    await db.close();
    console.log("done");
    break;
  }
  case "hold-base": {
    const db = await new PsBase(path).open();
    await db.transaction(async () => {
      console.log("held");
      await stdinClosed();
    });
    await db.close();
    break;
  }
  case "fields-write":
    console.log(JSON.stringify(await writeFields(PsBase, path)));
    break;
  case "fields-dump":
    console.log(JSON.stringify(await dumpFields(PsBase, path)));
    break;
  default:
    throw new Error(`unknown mode ${mode}`);
}
