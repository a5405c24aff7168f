// Copyright 2026 the psbase authors. MIT license.
/**
 * Builds `dist/deno/`: psbase as one bundled module per export (`mod.js`,
 * `cli.js`; shared code and the Node-only dynamic imports in chunks of their
 * own), typed by the sources through `@ts-self-types`. A fresh process that
 * imports it reads and compiles one file instead of fifty (README,
 * Performance); the npm package ships the same bundle (scripts/build_npm.ts).
 *
 *   deno task build            # writes dist/deno/mod.js, cli.js, chunks
 *   import { PsBase } from "./dist/deno/mod.js";
 *
 * @module
 */

import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Bundles every export of deno.json into `outDir`; returns the files written. */
export async function buildBundle(root: string, outDir: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const exported: { [k: string]: string } = typeof config.exports === "string"
    ? { ".": config.exports }
    : config.exports;
  const entries = Object.values(exported).map((src) => join(root, src));
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--platform",
      "deno",
      "--external",
      "npm:*",
      "--keep-names",
      "--code-splitting",
      "--outdir",
      outDir,
      ...entries,
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`Cannot bundle psbase: ${new TextDecoder().decode(out.stderr)}`);
  }
  const files = [...Deno.readDirSync(outDir)].map((e) => e.name).sort();
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
