// Copyright 2026 the psbase authors. MIT license.
/**
 * The Node entry of the harness's children: child_main.ts's twin on Node's
 * process API (the body, child_run.ts, is shared). It is not run from the
 * sources: node_child.ts bundles it for Node with psbase left out and points
 * its psbase import at the installed package, so a Node child runs the npm
 * build (its file layer on `node:fs`, its lock on koffi's flock).
 *
 * @module
 */

import { writeSync } from "node:fs";
import process from "node:process";
import { runChild } from "./child_run.ts";

const encoder = new TextEncoder();

await runChild({
  runtime: "node",
  data: { runtime: `node ${process.version}` },
  args: process.argv.slice(2),
  env: (name) => process.env[name],
  say(line) {
    const bytes = encoder.encode(line + "\n");
    let off = 0;
    while (off < bytes.length) off += writeSync(1, bytes, off);
  },
  stdin(onText, onEnd) {
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk: string) => onText(chunk));
    process.stdin.on("end", onEnd);
  },
  exit: (code) => process.exit(code),
}, ["ps", "plain", "pg"]);
