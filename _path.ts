// Copyright 2026 the psbase authors. MIT license.
// POSIX path helpers, so a short-lived process loads no node:path. Paths on
// Windows are not supported (README, Limits).

/** The current directory, in Deno or Node. */
function cwd(): string {
  const g = globalThis as {
    Deno?: { cwd(): string };
    process?: { cwd(): string };
  };
  return g.Deno ? g.Deno.cwd() : g.process!.cwd();
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

/** resolve, join, dirname, basename, relative and within, on POSIX paths. */
export const path = {
  resolve(...parts: string[]): string {
    let p = "";
    for (let i = parts.length - 1; i >= 0 && !p.startsWith("/"); i--) {
      if (parts[i]) p = p ? `${parts[i]}/${p}` : parts[i];
    }
    return normalize(p.startsWith("/") ? p : `${cwd()}/${p}`);
  },
  join(...parts: string[]): string {
    return normalize(parts.filter((p) => p !== "").join("/"));
  },
  dirname(p: string): string {
    const n = normalize(p);
    const i = n.lastIndexOf("/");
    return i < 0 ? "." : i === 0 ? "/" : n.slice(0, i);
  },
  basename(p: string): string {
    const n = normalize(p);
    return n.slice(n.lastIndexOf("/") + 1);
  },
  relative(from: string, to: string): string {
    const a = path.resolve(from).split("/").filter(Boolean);
    const b = path.resolve(to).split("/").filter(Boolean);
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return [...Array(a.length - i).fill(".."), ...b.slice(i)].join("/");
  },
  /** Whether the absolute path `inner` is `outer` or inside it. */
  within(inner: string, outer: string): boolean {
    return inner === outer || inner.startsWith(outer.endsWith("/") ? outer : outer + "/");
  },
};
