// Copyright 2026 the psbase authors. MIT license.
/**
 * Reads README.md's install and publish commands, so that the install tests run what it says.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const README = new URL("../../README.md", import.meta.url);

/** The text of README's `## <section>` (to the next `## `). */
export function readmeSection(section: string): string {
  const readme = readFileSync(README, "utf8");
  const body = new RegExp(`^## ${section}\\n([\\s\\S]*?)(?=^## )`, "m").exec(readme)?.[1];
  assert.ok(body, `README has no "## ${section}" section`);
  return body;
}

/** The first fenced block in `lang` of README's `## <section>`. */
export function readmeBlock(section: string, lang: string): string {
  const block = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, "m")
    .exec(readmeSection(section))?.[1];
  assert.ok(block, `README's "## ${section}" has no \`\`\`${lang} block`);
  return block;
}

/** The commands of a sh block: one per line or `&&`, comments dropped. */
export function commands(block: string): string[] {
  return block.split("\n").flatMap((line) => line.replace(/\s+#.*$/, "").split("&&"))
    .map((c) => c.trim()).filter((c) => c !== "");
}
