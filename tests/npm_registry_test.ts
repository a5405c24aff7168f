// Copyright 2026 the psbase authors. MIT license.
// The npm install path, for real, against a registry on 127.0.0.1 (tests/_registry/npm.ts):
// `deno task build:npm`, `npm publish ./dist/psbase-<version>.tgz` to it, then, in a fresh
// project outside the repository with its own npm cache, the install commands of README's
// "## Node" section as written (`npm install psbase`, by name), its example run as written
// (ESM), and `tsc` on a TypeScript consumer (tests/node/consumer.ts). The registry and the npm
// cache are set on each npm command of the test project and nowhere else; packages that are not
// psbase (koffi) are read from the machine's npm registry through the local one. Fails if psbase
// cannot be installed by name.

import assert from "node:assert/strict";
import { existsSync, lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startNpmRegistry } from "./_registry/npm.ts";
import { commands, readmeBlock } from "./_registry/readme.ts";
import { type Ran, run, sameBytes, succeeded } from "./_registry/run.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO = Deno.execPath();
const VERSION: string = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")).version;
const NAME = "psbase";
const TARBALL = `./dist/${NAME}-${VERSION}.tgz`;
/** The token the registry accepts (it is local: any string will do). */
const TOKEN = "psbase-test-token";

/** `require("psbase")` from CommonJS (Node 20.19+ and 22 load an ES module without top-level await). */
const CJS_APP = `const { ConflictError, PsBase } = require("psbase");

(async () => {
  const db = await new PsBase("./data/cjs").create({ n: "int" }, { mode: "open" });
  await db.insert({ n: 1 });
  console.log(await db.count(), ConflictError.name);
  await db.close();
})();
`;

function log(ran: Ran, note = ""): void {
  console.log(`  ${ran.line}: ${ran.seconds.toFixed(1)} s${note ? ` (${note})` : ""}`);
}

Deno.test("npm: npm publish to a local registry, then `npm install psbase` by name as README says: the Node example runs and tsc checks a consumer", async (t) => {
  const started = performance.now();
  const dir = await Deno.makeTempDir({ prefix: "psbase-npm-registry-" });
  const upstream = succeeded(
    await run("npm", ["config", "get", "registry"], { cwd: ROOT }),
  ).out.trim();
  const registry = await startNpmRegistry({ token: TOKEN, upstream, local: [NAME] });
  // The test project's npm settings: this registry and its token, a fresh cache; none of the
  // npm_* variables that `npx`/`npm run` put in the environment of the suite.
  const npmrc = join(dir, "npmrc");
  await Deno.writeTextFile(
    npmrc,
    [
      `registry=${registry.url}`,
      `${registry.url.replace(/^http:/, "")}:_authToken=${TOKEN}`,
      "audit=false",
      "fund=false",
      "update-notifier=false",
      // npm retries a failed fetch for up to minutes; from 127.0.0.1 a failure is no network
      // weather: give up within seconds (the few upstream reads keep their retries, shorter).
      "fetch-retry-mintimeout=500",
      "fetch-retry-maxtimeout=2000",
    ].join("\n") + "\n",
  );
  const inherited = Object.entries(Deno.env.toObject()).filter(([k]) => !/^npm_/i.test(k));
  /** Runs npm with the test project's settings; the publisher has a cache of its own. */
  const npm = (args: string[], cwd: string, cache = "npm-cache") =>
    run("npm", args, {
      cwd,
      env: {
        ...Object.fromEntries(inherited),
        npm_config_userconfig: npmrc,
        npm_config_cache: join(dir, cache),
      },
      clearEnv: true,
    });
  let app = dir;
  let published = false;
  let installed = false;
  try {
    await t.step("npm publish of the built tarball to the local registry", async () => {
      const readme = commands(readmeBlock("Publishing", "sh"));
      const publish = `npm publish ${TARBALL}`;
      for (const c of ["npx deno task build:npm", publish]) {
        assert.ok(readme.includes(c), `README's Publishing does not say \`${c}\`: ${readme}`);
      }
      log(succeeded(await run(DENO, ["task", "build:npm"], { cwd: ROOT })));
      const ran = succeeded(await npm(["publish", TARBALL], ROOT, "npm-cache-publisher"));
      log(ran);
      assert.match(ran.out, new RegExp(`\\+ ${NAME}@${VERSION}`));
      assert.ok(
        sameBytes(registry.tarball(NAME, VERSION), Deno.readFileSync(join(ROOT, TARBALL))),
        `the registry does not have ${TARBALL} as ${NAME}@${VERSION}`,
      );
      published = true;
    });

    await t.step({
      name: "README's Node install commands, run as written, install psbase by name",
      ignore: !published,
      fn: async () => {
        const said = commands(readmeBlock("Node", "sh"));
        assert.ok(said.includes(`npm install ${NAME}`), `README does not say npm install ${NAME}`);
        const before = registry.requests.length;
        for (const c of said) {
          const [cmd, ...args] = c.split(/\s+/);
          if (cmd === "mkdir") await Deno.mkdir(join(app, args[0]));
          else if (cmd === "cd") app = join(app, args[0]);
          else {log(
              succeeded(await (cmd === "npm" ? npm(args, app) : run(cmd, args, { cwd: app }))),
            );}
        }
        assert.ok(!app.startsWith(ROOT) && app !== dir, "the project is a new folder");
        const pkgDir = join(app, "node_modules", NAME);
        assert.equal(lstatSync(pkgDir).isSymbolicLink(), false, "psbase is a real copy");
        const pkg = JSON.parse(await Deno.readTextFile(join(pkgDir, "package.json")));
        assert.equal(pkg.version, VERSION);
        const project = JSON.parse(await Deno.readTextFile(join(app, "package.json")));
        assert.equal(project.dependencies?.[NAME], `^${VERSION}`);
        const lock = JSON.parse(await Deno.readTextFile(join(app, "package-lock.json")));
        const locked = lock.packages?.[`node_modules/${NAME}`];
        assert.equal(locked?.resolved, `${registry.url}${NAME}/-/${NAME}-${VERSION}.tgz`);
        assert.ok(existsSync(join(app, "node_modules", "koffi")), "koffi was installed");
        // The packument and the tarball came from this registry (the npm cache was empty).
        const served = registry.requests.slice(before).filter((r) =>
          !r.proxied && r.status === 200
        );
        assert.deepEqual(served.map((r) => r.path), [
          `/${NAME}`,
          `/${NAME}/-/${NAME}-${VERSION}.tgz`,
        ]);
        installed = true;
      },
    });

    await t.step({
      name: "README's Node example, saved as app.mjs, runs with node",
      ignore: !installed,
      fn: async () => {
        await Deno.writeTextFile(join(app, "app.mjs"), readmeBlock("Node", "js"));
        const first = succeeded(await run("node", ["app.mjs"], { cwd: app }));
        log(first);
        assert.equal(first.out, "1 ConflictError\n");
        const second = succeeded(await run("node", ["app.mjs"], { cwd: app }));
        assert.equal(second.out, "2 ConflictError\n", "the second run opens the same base");
      },
    });

    await t.step({
      name: 'require("psbase") from CommonJS (app.cjs) runs with node',
      ignore: !installed,
      fn: async () => {
        await Deno.writeTextFile(join(app, "app.cjs"), CJS_APP);
        const ran = succeeded(await run("node", ["app.cjs"], { cwd: app }));
        log(ran);
        assert.match(ran.out, /^1 ConflictError$/m);
      },
    });

    await t.step({
      name: "tsc --noEmit of a TypeScript consumer against the installed types",
      ignore: !installed,
      fn: async () => {
        await Deno.copyFile(join(ROOT, "tests", "node", "consumer.ts"), join(app, "consumer.mts"));
        await Deno.writeTextFile(
          join(app, "tsconfig.json"),
          JSON.stringify({
            compilerOptions: {
              module: "NodeNext",
              moduleResolution: "NodeNext",
              target: "ES2022",
              lib: ["ES2022"],
              types: ["node"],
              // TypeScript and @types/node from this checkout's devDependencies.
              typeRoots: [join(ROOT, "node_modules", "@types")],
              strict: true,
              noEmit: true,
              skipLibCheck: false,
              exactOptionalPropertyTypes: true,
            },
            files: ["consumer.mts"],
          }),
        );
        const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
        log(succeeded(await run("node", [tsc, "-p", "tsconfig.json"], { cwd: app })));
      },
    });
    console.log(`  npm round trip: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await registry.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
