#!/usr/bin/env node
/**
 * Bundles the built CLI (packages/cli/dist/main.js) into packages/cli/dist/bundle/, the code
 * `bin/charter.js` runs. Node 20 pays for every ES module it resolves and links, and a
 * `charter check` on the IR engine is ~200 of them (Charter's packages and `yaml`'s CommonJS
 * files): one bundle with a chunk per lazily loaded command starts ~100 ms sooner
 * (docs/benchmarks.md, "Start-up"). The packages stay as they are for library use.
 *
 * Bundled: Charter's own packages and the small pure-JavaScript libraries of the scan path.
 * Everything else stays an import the installed package resolves, so each must be a
 * dependency of @charter/cli: the script fails when one is not (an install would break).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../packages/cli");
const outdir = path.join(cli, "dist/bundle");
const BUNDLED = ["commander", "yaml", "js-yaml", "re2js", "picomatch"];

const manifest = JSON.parse(readFileSync(path.join(cli, "package.json"), "utf8"));
const declared = new Set(Object.keys(manifest.dependencies ?? {}));

/** The package a bare specifier names: `@scope/name` or `name`. */
const packageOf = (specifier) =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];

const externals = new Set();
const keepExternal = {
  name: "charter-externals",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, ({ path: specifier }) => {
      if (specifier.startsWith("node:") || builtinModules.includes(specifier)) {
        return { path: specifier, external: true };
      }
      const name = packageOf(specifier);
      if (name.startsWith("@charter/") || BUNDLED.includes(name)) return undefined;
      externals.add(name);
      return { path: specifier, external: true };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [path.join(cli, "dist/main.js")],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  conditions: ["node", "import", "default"],
  sourcemap: "linked",
  plugins: [keepExternal],
  // A bundled CommonJS library (yaml) may `require` Node's built-ins.
  banner: {
    js: 'import { createRequire as __charterRequire } from "node:module"; const require = __charterRequire(import.meta.url);',
  },
  logLevel: "warning",
  // Which source modules went into which chunk: test/start-up-modules.test.ts reads it to say
  // what a command loaded.
  metafile: true,
  absWorkingDir: path.resolve(cli, "../.."),
});
writeFileSync(path.join(outdir, "metafile.json"), JSON.stringify(result.metafile));

const undeclared = [...externals].filter((name) => !declared.has(name)).sort();
if (undeclared.length > 0) {
  console.error(
    `bundle-cli: @charter/cli imports ${undeclared.join(", ")} without depending on them; add them to packages/cli/package.json`,
  );
  process.exit(1);
}
