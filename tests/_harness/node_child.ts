// Copyright 2026 the psbase authors. MIT license.
/**
 * Node children of the harness on an installed psbase package: the harness's
 * own child (child_node.ts and every scenario) bundled for Node, with
 * psbase's modules left out and imported from the package instead, so the
 * scenarios that prove the Deno build run unchanged against the npm build.
 * What is bundled must parse in Node 20: `deno bundle` does not lower syntax,
 * so the harness does not use `await using` (checked here).
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildCommand } from "./child.ts";
import { PLAIN_NODE_ENV, run, succeeded } from "./run.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** psbase's entry modules the harness imports, and the package specifier each becomes. */
const PACKAGE: { [file: string]: string } = {
  "mod.ts": "psbase",
  "pg.ts": "psbase/pg",
  // Imported only for the `pg-nolock` engine (a hook of the sources), which Node children refuse.
  "_pg/_kind.ts": "psbase/pg",
};

/**
 * Builds the npm package (scripts/build_npm.ts) and installs its tarball in
 * `dir`, a fresh folder, with npm: what a Node user gets.
 *
 * @example
 * ```ts ignore
 * await installPackage(dir);
 * const node = await nodeHarnessChild(dir);
 * ```
 */
export async function installPackage(dir: string): Promise<void> {
  const build = join(ROOT, "scripts", "build_npm.ts");
  const built = succeeded(await run(Deno.execPath(), ["run", "--allow-all", build], { cwd: ROOT }));
  const m = /^build:npm: tarball (.+)$/m.exec(built.out);
  if (!m) throw new Error(`Cannot install psbase for Node: build_npm.ts named no tarball`);
  await Deno.writeTextFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "psbase-node-children", private: true, type: "module" }),
  );
  const npm = ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];
  succeeded(await run("npm", [...npm, m[1].trim()], { cwd: dir, env: PLAIN_NODE_ENV }));
}

/**
 * Bundles the Node child into `dir` (a folder whose `node_modules` holds the
 * installed psbase) and returns the command that starts one.
 *
 * @example
 * ```ts ignore
 * const node = await nodeHarnessChild(installDir);
 * const c = new Child(0, ["--engine=ps", "--base=/tmp/b", "--scenario=counter"], node);
 * ```
 */
export async function nodeHarnessChild(dir: string): Promise<ChildCommand> {
  const out = join(dir, "harness_child.mjs");
  const files = Object.keys(PACKAGE).map((f) => join(ROOT, f));
  const built = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      ...files.flatMap((f) => ["--external", f]),
      "--output",
      out,
      join(ROOT, "tests", "_harness", "child_node.ts"),
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!built.success) {
    throw new Error(
      `Cannot bundle the Node harness child: ${new TextDecoder().decode(built.stderr)}`,
    );
  }
  let text = await Deno.readTextFile(out);
  for (const [file, spec] of Object.entries(PACKAGE)) {
    text = text.replaceAll(JSON.stringify(join(ROOT, file)), JSON.stringify(spec));
  }
  if (/\bawait using\b/.test(text)) {
    throw new Error(
      "Cannot bundle the Node harness child: `await using` does not parse in Node 20",
    );
  }
  const left = /["'](\/[^"']+\.ts)["']/.exec(text);
  if (left) throw new Error(`Cannot bundle the Node harness child: it still imports ${left[1]}`);
  await Deno.writeTextFile(out, text);
  return { program: "node", args: [out], cwd: dir };
}
