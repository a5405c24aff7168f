// Copyright 2026 the psbase authors. MIT license.
// The JSR install path, for real, against a registry on 127.0.0.1 (tests/_registry/jsr.ts):
// `deno publish` of this checkout to it, then, in a fresh project outside the repository with
// its own DENO_DIR, what a user runs: `deno add jsr:@psbase/psbase`, a program importing
// "@psbase/psbase" that creates, writes, reopens and reads a base, `deno check` of it, and
// `deno install --frozen` into another empty DENO_DIR from the lock alone, after which the
// program runs `--cached-only` with the registry stopped. JSR_URL is set on each of these
// commands and nowhere else. Fails if the package cannot be installed by name.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startJsrRegistry } from "./_registry/jsr.ts";
import { commands, readmeBlock, readmeSection } from "./_registry/readme.ts";
import { type Ran, run, sameBytes, succeeded } from "./_registry/run.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO = Deno.execPath();
const config = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));
/** The name users install (README); the registry knows this package, as jsr.io would. */
const NAME = "@psbase/psbase";
const VERSION: string = config.version;
/** The token the registry accepts (it is local: any string will do). */
const TOKEN = "psbase-test-token";
/** Deno 2.9 skips versions younger than a day: the registry dates this one two days back. */
const AGE_MS = 2 * 24 * 3600 * 1000;

/** The program of a user who added the package: creates, writes, reopens and reads a base. */
const APP = `import { PsBase, type RecordOf } from "@psbase/psbase";

const schema = { name: "string", visits: "int" } as const;
const path = Deno.args[0];
{
  await using db = await new PsBase(path).create(schema);
  await db.insert({ name: "Ada", visits: 1 });
  await db.insertMany([{ name: "Bo", visits: 2 }]);
}
await using db = await new PsBase<typeof schema>(path).open();
await db.transaction(async (tx) => {
  const [ada] = await tx.find({ name: "Ada" });
  await tx.update(ada, { visits: (ada.visits ?? 0) + 1 });
});
const rows: RecordOf<typeof schema>[] = await db.find();
const count: number = await db.count();
// @ts-expect-error: a schema is an object (proves \`deno check\` sees the package's types)
if (count < 0) await db.create(42);
console.log(JSON.stringify({ module: import.meta.resolve("@psbase/psbase"), count, rows: rows.map(({ __id__, __version__, name, visits }) => ({ __id__, __version__, name, visits })) }));
`;

/** The files `deno publish` must upload: deno.json `publish.include` (globs `*` and `**`), and deno.json. */
function filesToPublish(): string[] {
  const skip = new Set([".git", "node_modules", "dist"]);
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (skip.has(e.name)) return [];
      return e.isDirectory() ? walk(rel) : [rel];
    });
  const names = walk("");
  const out = new Set(["deno.json"]);
  for (const pattern of config.publish.include as string[]) {
    const re = new RegExp(
      `^${
        pattern.replaceAll(".", "\\.").replaceAll("**/", "\u0000").replaceAll("*", "[^/]*")
          .replaceAll("\u0000", "(?:[^/]+/)*")
      }$`,
    );
    for (const n of names) if (re.test(n)) out.add(n);
  }
  return [...out].map((n) => "/" + n).sort();
}

function log(ran: Ran, note = ""): void {
  console.log(`  ${ran.line}: ${ran.seconds.toFixed(1)} s${note ? ` (${note})` : ""}`);
}

Deno.test("JSR: deno publish to a local registry, then `deno add jsr:@psbase/psbase` by name installs a package that runs, type-checks and reinstalls from its lock", async (t) => {
  const started = performance.now();
  const dir = await Deno.makeTempDir({ prefix: "psbase-jsr-" });
  const registry = await startJsrRegistry({ packages: [NAME], token: TOKEN, ageMs: AGE_MS });
  const app = join(dir, "my-app");
  /** The environment of every command of the test project. */
  const env = (denoDir: string) => ({
    JSR_URL: registry.url,
    DENO_DIR: join(dir, denoDir),
    DENO_NO_UPDATE_CHECK: "1",
  });
  let published = false;
  let added = false;
  try {
    assert.ok(!app.startsWith(ROOT), "the test project is outside the repository");
    await Deno.mkdir(app);

    await t.step("deno publish uploads exactly the checkout's publish.include files", async () => {
      const said = commands(readmeBlock("Publishing", "sh"));
      assert.ok(said.includes("npx deno publish"), `README's Publishing says ${said}`);
      // `--allow-dirty`: the suite runs on working trees too. `--token`: no browser login.
      // `--no-provenance`: no sigstore here (provenance is only attempted on GitHub Actions).
      const ran = succeeded(
        await run(DENO, ["publish", "--token", TOKEN, "--no-provenance", "--allow-dirty"], {
          cwd: ROOT,
          env: env("deno-dir-publisher"),
        }),
      );
      log(ran);
      assert.match(ran.out, new RegExp(`Successfully published ${NAME}@${VERSION}`));
      const files = registry.files(NAME, VERSION);
      assert.ok(files, `the registry has no ${NAME}@${VERSION}`);
      assert.deepEqual([...files.keys()].sort(), filesToPublish());
      for (const [path, bytes] of files) {
        assert.ok(sameBytes(bytes, Deno.readFileSync(join(ROOT, path))), `${path} differs`);
      }
      // The publish flow as JSR runs it: package check, upload, then the task polled to success.
      const api = registry.requests.filter((r) => r.path.startsWith("/api/"));
      assert.ok(api.some((r) => r.method === "POST" && r.status === 200));
      assert.ok(api.some((r) => r.path.startsWith("/api/publish_status/") && r.status === 200));
      published = true;
    });

    await t.step({
      name: "deno add jsr:@psbase/psbase in a fresh project writes the import and the lock",
      ignore: !published,
      fn: async () => {
        const add = `deno add jsr:${NAME}`;
        assert.ok(readmeSection("Publishing").includes(add), `README does not say \`${add}\``);
        await Deno.writeTextFile(join(app, "deno.json"), "{}\n");
        const ran = succeeded(
          await run(DENO, ["add", `jsr:${NAME}`], { cwd: app, env: env("deno-dir") }),
        );
        log(ran);
        const json = JSON.parse(await Deno.readTextFile(join(app, "deno.json")));
        assert.deepEqual(json.imports, { [NAME]: `jsr:${NAME}@^${VERSION}` });
        const lock = JSON.parse(await Deno.readTextFile(join(app, "deno.lock")));
        const locked = lock.jsr?.[`${NAME}@${VERSION}`];
        assert.ok(locked, `deno.lock has no ${NAME}@${VERSION}: ${JSON.stringify(lock)}`);
        // The lock pins the version's manifest (sha256 of <version>_meta.json as served).
        const meta = await (await fetch(`${registry.url}${NAME}/${VERSION}_meta.json`)).bytes();
        const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", meta));
        assert.equal(
          locked.integrity,
          Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join(""),
        );
        added = true;
      },
    });

    const expected = (module: string) => ({
      module,
      count: 2,
      rows: [
        { __id__: 1, __version__: 1, name: "Ada", visits: 2 },
        { __id__: 2, __version__: 0, name: "Bo", visits: 2 },
      ],
    });
    const moduleUrl = `${registry.url}${NAME}/${VERSION}/mod.ts`;

    await t.step({
      name: "a program importing @psbase/psbase creates, writes, reopens and reads a base",
      ignore: !added,
      fn: async () => {
        await Deno.writeTextFile(join(app, "app.ts"), APP);
        const ran = succeeded(
          await run(DENO, ["run", "--allow-all", "app.ts", join(dir, "data", "people")], {
            cwd: app,
            env: env("deno-dir"),
          }),
        );
        log(ran);
        // The module came from the registry, not from this checkout.
        assert.deepEqual(JSON.parse(ran.out), expected(moduleUrl));
      },
    });

    await t.step({
      name: "deno check of the program passes against the package's types",
      ignore: !added,
      fn: async () => {
        log(succeeded(await run(DENO, ["check", "app.ts"], { cwd: app, env: env("deno-dir") })));
      },
    });

    await t.step({
      name:
        "deno install --frozen fills an empty DENO_DIR from the lock; then, registry stopped, --cached-only runs",
      ignore: !added,
      fn: async () => {
        const lockBefore = await Deno.readTextFile(join(app, "deno.lock"));
        const fetched = registry.requests.length;
        log(
          succeeded(await run(DENO, ["install", "--frozen"], { cwd: app, env: env("deno-dir-2") })),
        );
        assert.ok(
          registry.requests.slice(fetched).some((r) => r.path === `/${NAME}/${VERSION}/mod.ts`),
          "deno install --frozen did not fetch the package from the registry",
        );
        assert.equal(await Deno.readTextFile(join(app, "deno.lock")), lockBefore, "lock changed");
        await registry.close();
        log(
          succeeded(
            await run(DENO, ["install", "--frozen", "--cached-only"], {
              cwd: app,
              env: env("deno-dir-2"),
            }),
          ),
          "registry stopped",
        );
        const ran = succeeded(
          await run(
            DENO,
            ["run", "--frozen", "--cached-only", "--allow-all", "app.ts", join(dir, "data", "two")],
            { cwd: app, env: env("deno-dir-2") },
          ),
        );
        log(ran, "registry stopped");
        assert.deepEqual(JSON.parse(ran.out), expected(moduleUrl));
      },
    });
    console.log(`  JSR round trip: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await registry.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
