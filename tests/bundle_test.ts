// Copyright 2026 the psbase authors. MIT license.
// scripts/_bundle.ts links every export to one core module, and refuses what
// it cannot link rather than shipping two copies of a class. Each case is a
// tiny project of its own, bundled by the real `deno bundle`.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { join } from "node:path";
import { bundle, BundleError, CORE, eagerInits } from "../scripts/_bundle.ts";
import { withTempDir } from "./_harness/temp.ts";

/** Writes `files` (name -> text) under `dir`. */
function project(dir: string, files: { [name: string]: string }): void {
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(join(dir, name), text);
}

/** The core (`mod.ts` reaches `core.ts`) and a second export, `other.ts`, written as given. */
function twoExports(dir: string, other: string): void {
  project(dir, {
    "core.ts":
      'export class Thing {\n  static tag = "the one Thing";\n}\nexport const made = () => new Thing();\n',
    "mod.ts": 'export { made, Thing } from "./core.ts";\n',
    "other.ts": other,
  });
}

Deno.test("the bundle links a second export's named imports to the one core module", async () => {
  await withTempDir(async (dir) => {
    twoExports(
      dir,
      'import { Thing } from "./core.ts";\nexport const isThing = (x: unknown) => x instanceof Thing;\n',
    );
    const out = join(dir, "out");
    const files = await bundle([join(dir, "mod.ts"), join(dir, "other.ts")], {
      root: dir,
      outDir: out,
    });
    for (const f of [CORE, "mod.js", "other.js"]) assert.ok(files.includes(f), f);
    const other = fs.readFileSync(join(out, "other.js"), "utf8");
    assert.ok(other.includes(`from "./${CORE}"`), other);
    const copies = files.filter((f) =>
      fs.readFileSync(join(out, f), "utf8").includes("the one Thing")
    );
    assert.deepEqual(copies, [CORE], "the class is in the core only");
    assert.match(
      fs.readFileSync(join(out, "mod.js"), "utf8"),
      /^export \{[^}]*\} from "\.\/_core\.js";\s*$/,
    );
    // One class, whichever export reaches it.
    const mod = await import(join(out, "mod.js"));
    const oth = await import(join(out, "other.js"));
    assert.equal(oth.isThing(mod.made()), true);
  });
});

for (
  const [how, other] of [
    ["a namespace", 'import * as c from "./core.ts";\nexport const made2 = () => c.made();\n'],
    ["import()", 'export const made2 = async () => (await import("./core.ts")).made();\n'],
  ]
) {
  Deno.test(`the bundle refuses a second export that imports the core by ${how}`, async () => {
    await withTempDir(async (dir) => {
      twoExports(dir, other);
      const out = join(dir, "out");
      await assert.rejects(
        bundle([join(dir, "mod.ts"), join(dir, "other.ts")], { root: dir, outDir: out }),
        (e: unknown) =>
          e instanceof BundleError &&
          /Cannot bundle psbase: other\.js imports core\.ts as a namespace, a default or by import\(\)/
            .test(e.message),
      );
      assert.equal(fs.existsSync(join(out, "other.js")), false, "nothing was written");
    });
  });
}

Deno.test("the bundle refuses a main export that reaches another export", async () => {
  await withTempDir(async (dir) => {
    project(dir, {
      "other.ts": "export const x = 1;\n",
      "mod.ts": 'export { x } from "./other.ts";\n',
    });
    await assert.rejects(
      bundle([join(dir, "mod.ts"), join(dir, "other.ts")], { root: dir, outDir: join(dir, "out") }),
      (e: unknown) =>
        e instanceof BundleError &&
        e.message === "Cannot bundle psbase: mod.ts reaches the export other.ts",
    );
  });
});

Deno.test("the core's lazy module initializers (modules a dynamic import reaches) are parenthesized, so V8 compiles them with the module and Deno caches them, and they still run once, in order, when first needed", async () => {
  await withTempDir(async (dir) => {
    project(dir, {
      "log.ts": "export const log: string[] = [];\n",
      "lazy.ts":
        'import { log } from "./log.ts";\nlog.push("lazy");\nexport const hi = () => "hi";\n',
      "core.ts": 'import { log } from "./log.ts";\nlog.push("core");\nexport { log };\n' +
        'export const later = async () => (await import("./lazy.ts")).hi();\n',
      "mod.ts": 'export { later, log } from "./core.ts";\n',
    });
    const out = join(dir, "out");
    await bundle([join(dir, "mod.ts")], { root: dir, outDir: out });
    const core = fs.readFileSync(join(out, CORE), "utf8");
    assert.match(core, /__esm\(\{\n {2}"lazy\.ts": \(function \(\) \{\n/, core);
    assert.doesNotMatch(core, /__esm\(\{\n {2}"[^"]+"\(\) \{/, "an initializer left lazy");
    const mod = await import(join(out, "mod.js"));
    assert.deepEqual(mod.log, ["core"], "lazy.ts is not run before it is imported");
    assert.equal(await mod.later(), "hi");
    assert.equal(await mod.later(), "hi");
    assert.deepEqual(mod.log, ["core", "lazy"], "and then run once");
  });
});

Deno.test("eagerInits() rewrites each initializer, an empty one too, and refuses one not in the form it rewrites", () => {
  assert.equal(
    eagerInits('var init_a = __esm({\n  "a.ts"() {\n    x = 1;\n  }\n});'),
    'var init_a = __esm({\n  "a.ts": (function () {\n    x = 1;\n  })\n});',
  );
  // An empty module's initializer, then another: each rewritten on its own.
  assert.equal(
    eagerInits(
      'var init_a = __esm({\n  "a.ts"() {\n  }\n});\nvar init_b = __esm({\n  "b.ts"() {\n' +
        "    x = 1;\n  }\n});",
    ),
    'var init_a = __esm({\n  "a.ts": (function () {\n  })\n});\nvar init_b = __esm({\n' +
      '  "b.ts": (function () {\n    x = 1;\n  })\n});',
  );
  assert.throws(
    () => eagerInits('var init_a = __esm({\n  "a.ts"() {\n    x = 1;\n}});'),
    BundleError,
  );
});
