// Copyright 2026 the psbase authors. MIT license.
// The schema literal is the type of every record, value and condition, and
// the public API shows nothing internal (issue 10). tests/node/consumer.ts
// holds the cases: what must compile, and (`@ts-expect-error`) what must not.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { withTempDir } from "./_harness/temp.ts";

const ROOT = new URL("../", import.meta.url);
const MOD = new URL("mod.ts", ROOT).href;

async function deno(args: string[]): Promise<{ code: number; out: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: new URL(".", ROOT).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, out: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

Deno.test("records, values, conditions, field lists and sort specs are typed from the schema literal (deno check of the type cases)", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "consumer.ts");
    const src = fs.readFileSync(new URL("tests/node/consumer.ts", ROOT), "utf8");
    fs.writeFileSync(file, src.replace('from "psbase"', `from ${JSON.stringify(MOD)}`));
    const { code, out } = await deno(["check", file]);
    assert.equal(code, 0, out);
  });
});

Deno.test("every module type-checks strictly: the exports, scripts, benchmarks and tests (deno task check)", async () => {
  const { code, out } = await deno(["task", "check"]);
  assert.equal(code, 0, out);
});

Deno.test("deno doc --lint mod.ts is clean, and the public API names nothing internal", async () => {
  const lint = await deno(["doc", "--lint", "mod.ts"]);
  assert.equal(lint.code, 0, lint.out);
  const json = await deno(["doc", "--json", "mod.ts"]);
  assert.equal(json.code, 0, json.out);
  const text = json.out;
  for (const internal of ["kAccess", "kGetMany", "kOptionNames", "Work", "Store", "WriteSet"]) {
    assert.ok(!new RegExp(`"name":\\s*"${internal}"`).test(text), `${internal} is public`);
  }
  // Only public files and the public types' own files: no folder of internals.
  for (const folder of ["_table/", "_file/", "_storage/", "_lock/", "_field/", "_pg/", "_cli/"]) {
    assert.ok(!text.includes(folder), `the public API refers to a file in ${folder}`);
  }
});

Deno.test("the README's Deno example type-checks without a cast", async () => {
  const readme = fs.readFileSync(new URL("README.md", ROOT), "utf8");
  const m = /## Example\s+```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, "README has an Example section with a ts block");
  assert.ok(!/ as (number|string|boolean|Date)\b/.test(m[1]), "the example casts a field");
  await withTempDir(async (dir) => {
    const file = join(dir, "example.ts");
    fs.writeFileSync(file, m[1].replaceAll('"./mod.ts"', JSON.stringify(MOD)));
    const { code, out } = await deno(["check", file]);
    assert.equal(code, 0, out);
  });
});

Deno.test("the module graph of mod.ts has no import cycle (deno info)", async () => {
  const info = await deno(["info", "--json", "mod.ts"]);
  assert.equal(info.code, 0, info.out);
  const { modules } = JSON.parse(info.out) as {
    modules: Array<{
      specifier: string;
      dependencies?: Array<{ code?: { specifier?: string }; type?: { specifier?: string } }>;
    }>;
  };
  const graph = new Map(modules.map((m) => [
    m.specifier,
    (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
      .filter((s): s is string => !!s),
  ]));
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (m: string) => {
    state.set(m, "open");
    path.push(m);
    for (const d of graph.get(m) ?? []) {
      if (state.get(d) === "open") {
        assert.fail(`import cycle: ${[...path.slice(path.indexOf(d)), d].join(" -> ")}`);
      }
      if (!state.has(d)) visit(d);
    }
    path.pop();
    state.set(m, "done");
  };
  for (const m of graph.keys()) if (!state.has(m)) visit(m);
  assert.ok(graph.size > 20, `only ${graph.size} modules seen`);
});
