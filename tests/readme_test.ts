// Copyright 2026 the psbase authors. MIT license.
// The README's example runs as written.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { withTempDir } from "./_harness/temp.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("the README example runs as written and prints the selected record", async () => {
  const readme = fs.readFileSync(new URL("README.md", ROOT), "utf8");
  const m = /## Example\s+```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, "README has an Example section with a ts block");
  await withTempDir(async (dir) => {
    const file = join(dir, "example.ts");
    fs.writeFileSync(
      file,
      m[1].replaceAll('"./mod.ts"', JSON.stringify(new URL("mod.ts", ROOT).href)),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", file],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    assert.match(text, /__version__: 2, name: "Ada", age: 38/);
  });
});

Deno.test("the bundled build (deno task build) runs the README example the same, typed by the sources", async () => {
  const { buildBundle } = await import("../scripts/build.ts");
  const readme = fs.readFileSync(new URL("README.md", ROOT), "utf8");
  const m = /## Example\s+```ts\n([\s\S]*?)```/.exec(readme)!;
  await withTempDir(async (dir) => {
    // Built beside a copy of the sources, so that @ts-self-types resolves as in dist/deno/.
    const out = join(dir, "dist", "deno");
    const files = await buildBundle(fileURLToPath(ROOT), out);
    assert.ok(files.includes("mod.js"), `bundle: ${files}`);
    // mod.js and the modules it imports statically: what a fresh process loads. The core
    // (everything mod.ts reaches) is one module (scripts/_bundle.ts); PostgreSQL's chunks
    // are loaded only when used.
    const loaded = new Set<string>();
    const visit = (f: string) => {
      if (loaded.has(f)) return;
      loaded.add(f);
      const src = fs.readFileSync(join(out, f), "utf8");
      for (const m of src.matchAll(/^(?:import|} from) "\.\/([^"]+)";$/gm)) visit(m[1]);
      for (const m of src.matchAll(/^(?:import|export)\s+(?:[^"]*?from\s+)?"\.\/([^"]+)";$/gm)) {
        visit(m[1]);
      }
    };
    visit("mod.js");
    assert.deepEqual([...loaded].sort(), ["_core.js", "mod.js"]);
    // One class whichever export reaches it: pg.js and cli.js link to the same core.
    const url = (f: string) => new URL(`file://${join(out, f)}`).href;
    const mod = await import(url("mod.js"));
    const pg = await import(url("pg.js"));
    assert.ok(pg.PgBase.prototype instanceof mod.Base, "PgBase extends the Base of mod.js");
    const file = join(dir, "example.ts");
    fs.writeFileSync(
      file,
      m[1].replaceAll('"./mod.ts"', JSON.stringify(new URL(`file://${join(out, "mod.js")}`).href)),
    );
    const run = async (args: string[]) => {
      const o = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" })
        .output();
      return {
        code: o.code,
        text: new TextDecoder().decode(o.stdout) + new TextDecoder().decode(o.stderr),
      };
    };
    const checked = await run(["check", file]);
    assert.equal(checked.code, 0, checked.text);
    const ran = await run(["run", "--allow-all", file]);
    assert.equal(ran.code, 0, ran.text);
    assert.match(ran.text, /__version__: 2, name: "Ada", age: 38/);
  });
});
