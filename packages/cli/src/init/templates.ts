/**
 * The files `charter init` writes: a policy project that passes `charter test` and
 * `charter build` as it is. Kept as strings in code so they ship inside the package's `dist`.
 */

export interface ProjectTemplate {
  /** The npm package name of the new project. */
  readonly name: string;
  /** The Charter version the project depends on (this CLI's own). */
  readonly version: string;
  /**
   * `@charter/<name>` → a `file:` spec of a tarball in the project (`charter init --from`):
   * the project then installs Charter without a registry.
   */
  readonly localPackages?: ReadonlyMap<string, string>;
}

/** Relative path → content, in the order they are listed to the user. */
export function projectFiles(template: ProjectTemplate): ReadonlyMap<string, string> {
  return new Map([
    ["package.json", packageJson(template)],
    ["charter.config.ts", CONFIG],
    ["policies/index.ts", POLICY_INDEX],
    ["policies/disallow-latest-tag.ts", POLICY],
    ["policies/disallow-latest-tag.test.ts", POLICY_TEST],
    ["manifests/deployment.yaml", MANIFEST],
    ["tsconfig.json", TSCONFIG],
    ["vitest.config.ts", VITEST_CONFIG],
    [".github/workflows/charter.yml", WORKFLOW],
    [".gitignore", "node_modules/\n"],
    ["README.md", readme(template)],
    ...(template.localPackages
      ? [["pnpm-workspace.yaml", pnpmWorkspace(template.localPackages)] as const]
      : []),
  ]);
}

/** pnpm (10 and later) reads overrides from here, not from package.json. */
function pnpmWorkspace(localPackages: ReadonlyMap<string, string>): string {
  const lines = [...localPackages].map(([name, spec]) => `  "${name}": "${spec}"`);
  return `# The @charter packages come from the tarballs in vendor/charter (charter init --from).\noverrides:\n${lines.join("\n")}\n`;
}

function packageJson({ name, version, localPackages }: ProjectTemplate): string {
  const spec = (pkg: string) => localPackages?.get(pkg) ?? version;
  // The CLI's own @charter dependencies name a version; overrides point them at the tarballs
  // too (npm reads `overrides`, pnpm those of pnpm-workspace.yaml), or a registry is asked.
  const overrides = localPackages ? Object.fromEntries(localPackages) : undefined;
  const manifest = {
    name,
    version: "0.0.0",
    private: true,
    type: "module",
    scripts: {
      test: "charter test && vitest run",
      build: "charter build",
      check: "charter check manifests",
      typecheck: "tsc --noEmit",
    },
    devDependencies: {
      "@charter/cli": spec("@charter/cli"),
      "@charter/dsl": spec("@charter/dsl"),
      "@charter/testing": spec("@charter/testing"),
      "@types/node": "^20.19.0",
      typescript: "^5.9.3",
      vitest: "^4.1.12",
    },
    ...(overrides ? { overrides } : {}),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const CONFIG = `/**
 * Where the policies are, and parameter values per policy name (they override the policies'
 * defaults), e.g. \`params: { "my-policy": { allowed: ["registry.example.com/"] } }\`.
 * \`systemNamespaces\` (default kube-system, kube-public, kube-node-lease) names the
 * namespaces no policy judges, so the built policies never block the control plane.
 */
import { defineConfig } from "@charter/cli";

export default defineConfig({
  policies: "policies",
});
`;

const POLICY_INDEX = `/**
 * The project's policies. \`charter.config.ts\` points at this folder; Charter loads this file
 * and nothing else in it, so helpers and tests can live beside the policies. Add each new
 * policy to the list.
 */
import disallowLatestTag from "./disallow-latest-tag.js";

export default [disallowLatestTag];
`;

const POLICY = `/**
 * An example policy: every container names its image by a version tag or a digest, never by
 * \`latest\` or by no tag (which means \`latest\`). Its cases run on every engine with
 * \`charter test\`; its unit tests are in disallow-latest-tag.test.ts.
 */
import { podWith, pod, policy, when } from "@charter/dsl";

export default policy("disallow-latest-tag", {
  title: "Images name a version tag, not latest",
  description:
    "\`latest\` (and no tag at all, which means \`latest\`) names whatever was pushed last, so a " +
    "restart can run different code. Name a version tag or pin a digest.",
  severity: "medium",
  category: "Supply chain",
  // deny blocks admission and fails \`charter check\`; warn and audit only report.
  enforcement: "deny",
  // Pods, and the pod templates of Deployments, StatefulSets, Jobs and the other controllers.
  match: pod,
  rules: {
    latestTag: {
      fail: when\`
        any c in pod.containers:
          not (c.image contains "@")
          and (c.image endsWith ":latest" or not (c.image matches ":[^/]+$"))\`,
      message: "container {{c.name}} uses image {{c.image}}, which means latest; name a version tag",
      remediation: "Use the release's own tag (\`app:1.4.2\`) or its digest (\`app@sha256:…\`).",
    },
  },
  cases: {
    pass: [
      { name: "Pod with a version tag", resource: podWith({ image: "registry.example.com/app:1.4.2" }) },
      {
        name: "Pod pinned by digest",
        resource: podWith({
          image:
            "registry.example.com/app@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        }),
      },
    ],
    fail: [
      { name: "Pod by the latest tag", resource: podWith({ image: "nginx:latest" }), rules: ["latestTag"] },
      { name: "Pod with no tag", resource: podWith({ image: "nginx" }), rules: ["latestTag"] },
    ],
  },
});
`;

const POLICY_TEST = `/**
 * Unit tests of the policy with @charter/testing. They run on Charter's in-process IR engine;
 * \`expectPolicy(policy, { engines: "all" })\`, or CHARTER_TEST_ENGINES=all, runs them on every
 * engine that can be had as well (OPA needs the \`opa\` binary) and fails when engines disagree.
 */
import { podWith } from "@charter/dsl";
import { expectPolicy } from "@charter/testing";
import { describe, it } from "vitest";
import disallowLatestTag from "./disallow-latest-tag.js";

describe("disallow-latest-tag", () => {
  it("passes an image with a version tag, and one behind a registry port", async () => {
    await expectPolicy(disallowLatestTag).toPass(podWith({ image: "registry.example.com/app:1.4.2" }));
    await expectPolicy(disallowLatestTag).toPass(
      podWith({ image: "registry.example.com:5000/app:1.4.2" }),
    );
  });

  it("fails the latest tag, and no tag", async () => {
    await expectPolicy(disallowLatestTag).toFail(podWith({ image: "nginx:latest" }), {
      rules: ["latestTag"],
      message: "uses image nginx:latest",
    });
    await expectPolicy(disallowLatestTag).toFail(podWith({ image: "registry.example.com:5000/app" }), {
      rules: ["latestTag"],
    });
  });

  it("agrees with the in-process CEL engines that Kyverno and VAP rules are checked on", async () => {
    await expectPolicy(disallowLatestTag, { engines: ["ir", "kyverno-cel", "vap-cel"] }).toFail(
      podWith({ image: "nginx" }),
    );
  });
});
`;

const MANIFEST = `# An example manifest for \`charter check manifests\`: it meets the policies, so CI passes.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.4.2
          ports:
            - containerPort: 8080
`;

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
    },
    include: ["policies/**/*.ts", "charter.config.ts", "vitest.config.ts"],
  },
  null,
  2,
)}\n`;

const VITEST_CONFIG = `import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["policies/**/*.test.ts"] },
});
`;

const WORKFLOW = `# Tests the policies on every engine, checks that the committed artifacts in dist/ are what the
# policies compile to, and scans the manifests.
name: charter

on:
  push:
  pull_request:

jobs:
  charter:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      # The opa, wasm and gatekeeper engines run the emitted Rego on the real OPA.
      - uses: open-policy-agent/setup-opa@v2
        with:
          version: 1.22.3
      - run: npm ci
      # Under CI=true an engine asked for and missing is an error, so name the ones set up here.
      - run: npx charter test --engine ir,opa,wasm,gatekeeper,kyverno-cel,vap-cel
      - run: npx tsc --noEmit
      - run: npx vitest run
      - run: npx charter build --check
      - run: npx charter check manifests
`;

function readme({ name, localPackages }: ProjectTemplate): string {
  return `# ${name}

Kubernetes security policies written in TypeScript with Charter, compiled to Rego, Gatekeeper, Kyverno and ValidatingAdmissionPolicy.

## Layout

| path | what |
| --- | --- |
| \`policies/\` | the policies; \`policies/index.ts\` lists them |
| \`policies/*.test.ts\` | unit tests with \`@charter/testing\` (vitest) |
| \`charter.config.ts\` | where the policies are, and parameter values per policy |
| \`manifests/\` | Kubernetes manifests \`charter check\` scans |
| \`dist/\` | what \`charter build\` writes, one folder per target; commit it |
| \`.github/workflows/charter.yml\` | CI: tests, \`build --check\`, a scan of \`manifests/\` |

## Commands

\`\`\`sh
npm install
npx charter test            # every policy's pass/fail cases, on every engine found
npx vitest run              # the unit tests
npx charter build           # dist/rego, dist/gatekeeper, dist/kyverno, dist/vap
npx charter check manifests # scan manifests; exit 1 when a deny policy fails
npx charter explain disallow-latest-tag
\`\`\`

\`charter build --check\` (in CI) fails when \`dist/\` is not what the policies compile to: run
\`npx charter build\` and commit \`dist/\` after changing a policy.

## A new policy

1. Write \`policies/<name>.ts\` with \`export default policy("<name>", { … })\`, with \`cases\` that
   pass and fail.
2. Add it to \`policies/index.ts\`.
3. \`npx charter test\`, then \`npx charter build\`.

${localPackages ? VENDORED : ""}The \`opa\` and \`gatekeeper\` engines need the [\`opa\`](https://www.openpolicyagent.org/docs/latest/#running-opa)
binary on PATH (or \`CHARTER_OPA\`); without it \`charter test\` skips them and says so.
`;
}

const VENDORED = `## Charter itself

The \`@charter/*\` packages come from the tarballs in \`vendor/charter/\` (written by
\`charter init --from\`), named by relative \`file:\` paths in \`package.json\` (\`devDependencies\`
and \`overrides\`, for npm) and \`pnpm-workspace.yaml\` (for pnpm): commit them, and \`npm ci\` or
\`pnpm install\` needs no registry that has Charter. To take a newer Charter, replace the
tarballs and the file names in those two files, then install again.

`;
