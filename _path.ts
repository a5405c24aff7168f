// Copyright 2026 the psbase authors. MIT license.
// Path helpers. POSIX paths are handled here (no node:path to load in a
// short-lived Deno process); on Windows, and in Node, node:path does the work.

import { fsys } from "./_fs.ts";

interface PathApi {
  resolve(...parts: string[]): string;
  join(...parts: string[]): string;
  dirname(path: string): string;
  relative(from: string, to: string): string;
}

function normalize(path: string): string {
  const abs = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length && out[out.length - 1] !== "..") out.pop();
      else if (!abs) out.push("..");
    } else out.push(part);
  }
  const s = out.join("/");
  return abs ? "/" + s : s || ".";
}

const posix: PathApi = {
  resolve: (...parts) => {
    let path = "";
    for (let i = parts.length - 1; i >= 0 && !path.startsWith("/"); i--) {
      if (parts[i]) path = path ? `${parts[i]}/${path}` : parts[i];
    }
    return normalize(path.startsWith("/") ? path : `${fsys.cwd()}/${path}`);
  },
  join: (...parts) => normalize(parts.filter((p) => p !== "").join("/")),
  dirname: (path) => {
    const p = normalize(path);
    const i = p.lastIndexOf("/");
    return i < 0 ? "." : i === 0 ? "/" : p.slice(0, i);
  },
  relative: (from, to) => {
    const a = posix.resolve(from).split("/").filter(Boolean);
    const b = posix.resolve(to).split("/").filter(Boolean);
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return [...Array(a.length - i).fill(".."), ...b.slice(i)].join("/");
  },
};

const native = "Deno" in globalThis && globalThis.Deno.build.os !== "windows";

/** resolve, join, dirname and relative for this runtime and platform. */
export const path: PathApi = native ? posix : await import("node:path");
