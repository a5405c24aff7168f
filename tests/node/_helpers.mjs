// Copyright 2026 the psbase authors. MIT license.
// Helpers of the Node suite. Not a test file: `node --test` is given the *.test.mjs files.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A fresh temporary folder, removed by the returned `cleanup`. */
export function tempDir(prefix = "psbase-node-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A digest of every file under `dir` (names and bytes), to prove nothing changed on disk. */
export function snapshot(dir) {
  const hash = createHash("sha256");
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else hash.update(`${p}\0`).update(readFileSync(p)).update("\0");
    }
  };
  walk(dir);
  return hash.digest("hex");
}

/** Whether this Node parses `await using` (Node 20 does not: it needs Node 24+). */
export function supportsAwaitUsing() {
  const AsyncFunction = (async () => {}).constructor;
  try {
    new AsyncFunction("x", "{ await using y = x; }");
    return true;
  } catch {
    return false;
  }
}

const CHILD = fileURLToPath(new URL("./_child.mjs", import.meta.url));

/**
 * Starts `_child.mjs` in a second Node process. Resolves `lines` as they come;
 * `waitFor(text)` resolves when a line equal to `text` arrives; `done` resolves
 * to `{ code, signal, stdout, stderr }` when it exits.
 */
export function child(...args) {
  const proc = spawn(process.execPath, [CHILD, ...args.map(String)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters = [];
  const lines = [];
  proc.stdout.setEncoding("utf8");
  proc.stderr.setEncoding("utf8");
  proc.stdout.on("data", (chunk) => {
    stdout += chunk;
    const parts = stdout.split("\n");
    for (const line of parts.slice(lines.length, -1)) {
      lines.push(line);
      for (const w of waiters) if (w.text === line) w.resolve();
    }
  });
  proc.stderr.on("data", (chunk) => (stderr += chunk));
  const done = new Promise((resolve) => {
    proc.on("close", (code, signal) => {
      for (const w of waiters) {
        w.reject(new Error(`child exited (${code ?? signal}) before "${w.text}": ${stderr}`));
      }
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    proc,
    lines,
    done,
    waitFor(text, timeoutMs = 15_000) {
      if (lines.includes(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${text}" from child in ${timeoutMs} ms: ${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          text,
          resolve: () => (clearTimeout(timer), resolve()),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
      });
    },
  };
}

/** Runs `_child.mjs` to completion; rejects unless it exits 0. Resolves to its stdout lines. */
export async function runChild(...args) {
  const c = child(...args);
  c.proc.stdin.end();
  const { code, signal, stdout, stderr } = await c.done;
  if (code !== 0) throw new Error(`child ${args.join(" ")} exited ${code ?? signal}: ${stderr}`);
  return stdout.trim().split("\n");
}
