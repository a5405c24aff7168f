// Copyright 2026 the psbase authors. MIT license.
/**
 * The one temp-folder helper of the tests, the harness, the demo and the
 * benchmarks.
 *
 * @module
 */

/** Runs `fn` with a fresh temp folder, removed afterwards whatever happens. */
export async function withTempDir<T>(
  fn: (dir: string) => Promise<T>,
  prefix = "psbase_test_",
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
