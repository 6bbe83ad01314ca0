/**
 * The package layering of docs/architecture.md, checked in CI (`pnpm depcheck`, part of
 * `pnpm test`). Arrows point down: `ir` depends on nothing of ours; `dsl` and `compiler` on `ir`;
 * `runtime` on `ir` and, only to run emitted code, `compiler`; `images` on `ir`; `server` on
 * `runtime`, `images`, `compiler`, `ir`; `testing` on `runtime`, `images`, `ir`; `cli` on any. The private `test-support` package may use
 * anything, and no published package's source uses it (their *.test.ts files may). No import
 * cycles anywhere, type-only imports included.
 */
const PACKAGES = [
  "ir",
  "dsl",
  "compiler",
  "runtime",
  "images",
  "server",
  "testing",
  "cli",
  "test-support",
];

/** What each published package's source may import of ours, besides itself. */
const MAY_IMPORT = {
  ir: [],
  dsl: ["ir"],
  compiler: ["ir"],
  runtime: ["ir", "compiler"],
  images: ["ir"],
  server: ["ir", "compiler", "runtime", "images"],
  testing: ["ir", "runtime", "images"],
  cli: ["ir", "dsl", "compiler", "runtime", "images", "server", "testing"],
};

const source = (name) => `^packages/${name}/src/`;
const TEST_FILE = "\\.test\\.ts$";

const layering = Object.entries(MAY_IMPORT).map(([name, allowed]) => {
  const forbidden = PACKAGES.filter((other) => other !== name && !allowed.includes(other));
  return {
    name: `${name}-imports-only-${allowed.length > 0 ? allowed.join("-") : "itself"}`,
    comment: `@charter/${name} may import ${allowed.length > 0 ? allowed.map((a) => `@charter/${a}`).join(", ") : "nothing of ours"} (docs/architecture.md)`,
    severity: "error",
    from: { path: source(name), pathNot: TEST_FILE },
    to: { path: `^packages/(${forbidden.join("|")})/` },
  };
});

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "an import cycle, type-only imports included",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "our-imports-resolve",
      comment:
        "an import of a Charter package that does not resolve to its source would escape every rule here",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, path: "^@charter/" },
    },
    ...layering,
    {
      name: "published-tests-only-use-test-support",
      comment: "test support is for tests; no published package's source imports it",
      severity: "error",
      from: { path: "^packages/(?!test-support/)[^/]+/src/", pathNot: TEST_FILE },
      to: { path: "^packages/test-support/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)dist/|node_modules/(?!@charter/)|^test/fixtures/layering/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["charter-source", "import", "node", "default"],
      extensions: [".ts", ".js", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
