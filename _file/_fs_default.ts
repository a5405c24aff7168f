// Copyright 2026 the psbase authors. MIT license.
// The runtime's own file layer: Deno's API in Deno (node:fs costs a
// short-lived Deno process milliseconds to load), node:fs in Node (loaded only there).

import type { Fs } from "./_fs.ts";
import { denoFs } from "./_fs_deno.ts";

let node: Promise<Fs> | undefined;

/** The file layer of this runtime. */
export function defaultFs(): Fs | Promise<Fs> {
  if ("Deno" in globalThis) return denoFs;
  return node ??= import("./_fs_node.ts").then((m) => m.nodeFs());
}
