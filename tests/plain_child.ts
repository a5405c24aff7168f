// Copyright 2026 the psbase authors. MIT license.
// Child of plain_base_test.ts: one write by another process.
import { Base } from "../mod.ts";
const db = await new Base(Deno.args[0]).open();
if (Deno.args[1] === "insert") await db.insert({ n: 2 });
else await db.cleanup();
await db.close();
