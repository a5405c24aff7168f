// Copyright 2026 the psbase authors. MIT license.
/**
 * What the install tests (tests/jsr_test.ts, tests/npm_registry_test.ts) use to
 * run commands (tests/_harness/run.ts) and compare bytes.
 *
 * @module
 */

export { type Ran, run, type RunOptions, succeeded } from "../_harness/run.ts";

/**
 * Whether two byte strings are equal. (`assert.deepEqual` on two long arrays that differ spends
 * minutes computing its diff.)
 */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}
