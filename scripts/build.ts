// Copyright 2026 the psbase authors. MIT license.
/**
 * Builds `dist/deno/`: psbase as one bundled module per export (`mod.js`,
 * `pg.js`, `cli.js`) over one core module (`_core.js`: everything `mod.ts`
 * reaches; scripts/_bundle.ts), typed by the sources through
 * `@ts-self-types`. A fresh process that imports `mod.js` reads and compiles
 * two files instead of fifty (README, Performance); the npm package ships the
 * same bundle (scripts/build_npm.ts).
 *
 *   deno task build            # writes dist/deno/mod.js, pg.js, cli.js, _core.js, chunks
 *   import { PsBase } from "./dist/deno/mod.js";
 *
 * @module
 */

import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { bundle } from "./_bundle.ts";

/** Bundles every export of deno.json into `outDir`; returns the files written. */
export async function buildBundle(root: string, outDir: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const exported: { [k: string]: string } = typeof config.exports === "string"
    ? { ".": config.exports }
    : config.exports;
  // The main export first: its reach is the core.
  const entries = Object.entries(exported).sort(([a], [b]) => Number(b === ".") - Number(a === "."))
    .map(([, src]) => join(root, src));
  const files = await bundle(entries, { root, outDir });
  for (const src of entries) {
    const js = join(outDir, relative(root, src).replace(/\.ts$/, ".js"));
    const text = await Deno.readTextFile(js);
    // The bundle's types are its sources' (same exports, same docs).
    const types = relative(dirname(js), src);
    await Deno.writeTextFile(js, `// @ts-self-types="${types}"\n${text}`);
  }
  return files;
}

if (import.meta.main) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const outDir = join(root, "dist", "deno");
  const files = await buildBundle(root, outDir);
  console.log(`build: ${files.length} modules in ${outDir}: ${files.join(" ")}`);
}
