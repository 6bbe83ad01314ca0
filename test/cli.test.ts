/** The `charter` command end to end, on the repository's own policies and example app. */

import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./support/run-cli.js";
import {
  stderrLines,
  unconfiguredNotes,
  withoutUnconfiguredNotes,
} from "./support/scan-only-notes.js";

const scratch = () => mkdtempSync(join(tmpdir(), "charter-cli-"));

function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      if (name.isDirectory()) walk(join(d, name.name), `${prefix}${name.name}/`);
      else out[`${prefix}${name.name}`] = readFileSync(join(d, name.name), "utf8");
    }
  };
  walk(dir, "");
  return out;
}

describe("charter --help", () => {
  it.each([
    "build",
    "test",
    "check",
    "explain",
    "docs",
    "init",
    "bundle",
    "serve",
    "audit",
    "webhook",
  ])("%s --help teaches with an example", async (command) => {
    const run = await runCli([command, "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Example/);
    expect(run.stdout).toContain(`charter ${command}`);
  });

  it("a reader that stops early ends the run quietly, not with a stack trace", () => {
    const bin = join(repoRoot, "packages/cli/bin/charter.js");
    const run = spawnSync(
      "bash",
      ["-c", `node ${bin} check examples/todo-app/insecure --format json | head -c 1 >/dev/null`],
      { cwd: repoRoot, encoding: "utf8" },
    );
    expect(run.stderr).toBe(`${unconfiguredNotes().join("\n")}\n`);
    expect(run.status).toBe(0);
  });

  it("an unknown option is a usage error", async () => {
    const run = await runCli(["check", "--no-such-flag"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option/);
  });
});

describe("charter build", () => {
  it("writes dist/rego deterministically and --check sees drift", async () => {
    const out = scratch();
    expect((await runCli(["build", "--out", out])).code).toBe(0);
    const first = filesUnder(join(out, "rego"));
    expect(Object.keys(first)).toContain("charter/violations.rego");
    expect(Object.keys(first)).toContain("charter/policies/disallow_privileged_containers.rego");
    expect((await runCli(["build", "--out", out])).code).toBe(0);
    expect(filesUnder(join(out, "rego"))).toEqual(first);
    expect(readdirSync(out).sort()).toEqual(["gatekeeper", "kyverno", "rego", "vap"]);

    expect((await runCli(["build", "--out", out, "--check"])).code).toBe(0);
    writeFileSync(join(out, "rego/charter/violations.rego"), "package tampered\n");
    writeFileSync(join(out, "rego/extra.rego"), "package extra\n");
    const drift = await runCli(["build", "--out", out, "--check"]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/changed\s+.*charter\/violations\.rego/);
    expect(drift.stdout).toMatch(/extra\s+.*extra\.rego/);
  });

  it("a policy with an error writes nothing and names file, line and column", async () => {
    const project = scratch();
    mkdirSync(join(project, "policies"));
    writeFileSync(
      join(project, "policies/bad.ts"),
      [
        'import { pod, policy, when } from "@charter/dsl";',
        "",
        'export default policy("bad-policy", {',
        '  title: "Bad", severity: "low", category: "Test", controls: [], match: pod,',
        "  rules: {",
        "    broken: {",
        "      fail: when`any c in pod.containers: c.securityContex.privileged == true`,",
        '      message: "broken",',
        "    },",
        "  },",
        "  cases: { pass: [], fail: [] },",
        "});",
        "",
      ].join("\n"),
    );
    // The project resolves @charter/dsl from this repository's node_modules.
    symlinkSync(join(repoRoot, "node_modules"), join(project, "node_modules"));
    const out = join(project, "dist");
    const run = await runCli(["build", "--policies", "policies", "--out", out], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.ts:7:\d+: error: .*securityContex/);
    expect(run.stderr).toMatch(/did you mean .*securityContext/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(out)).toBe(false);
  });
});

describe("charter check", () => {
  it("the hardened todo app passes", async () => {
    const run = await runCli(["check", "examples/todo-app/hardened"]);
    // The library's signature policies wait for their keys, and say so.
    expect(stderrLines(run.stderr)).toEqual(unconfiguredNotes());
    expect(run.code).toBe(0);
  });

  it("the insecure todo app fails with exit 1 on the expected policies", async () => {
    const run = await runCli(["check", "examples/todo-app/insecure", "--format", "json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    const failing = new Set(
      report.results
        .filter((row: { result: string }) => row.result === "fail")
        .map(
          (row: {
            policy: string;
            rule: string;
            resource: { kind: string; namespace?: string; name: string };
          }) =>
            `${row.policy} ${row.rule} ${row.resource.kind} ${row.resource.namespace ? `${row.resource.namespace}/` : ""}${row.resource.name}`,
        ),
    );
    expect([...failing].sort()).toEqual(EXPECTED_INSECURE_FAILURES);
  });

  // One agreement table over the example app: every engine, the same rows as the IR engine.
  const ENGINES = ["opa", "wasm", "gatekeeper", "kyverno-cel", "vap-cel", "cel-judge"];
  it.each(
    ["examples/todo-app/hardened", "examples/todo-app/insecure"].flatMap((path) =>
      ENGINES.map((engine) => [path, engine]),
    ),
  )("%s: --engine %s gives the IR engine's results", async (path, engine) => {
    const ir = await runCli(["check", path, "--format", "json", "--engine", "ir"]);
    const other = await runCli(["check", path, "--format", "json", "--engine", engine]);
    expect(other.stderr).toBe(ir.stderr);
    expect(other.code).toBe(ir.code);
    // Policies the engine's target cannot express (docs/capabilities.md) give skip rows saying
    // so; every other row must be the IR engine's.
    const theirs = JSON.parse(other.stdout).results as {
      policy: string;
      result: string;
      message: string;
    }[];
    const cannot = `the ${engine} engine cannot judge this policy`;
    const unjudged = new Set(
      theirs.filter((r) => r.message.startsWith(cannot)).map((r) => r.policy),
    );
    expect(theirs.filter((r) => unjudged.has(r.policy)).every((r) => r.result === "skip")).toBe(
      true,
    );
    const judged = (rows: { policy: string }[]) => rows.filter((r) => !unjudged.has(r.policy));
    expect(judged(theirs)).toEqual(judged(JSON.parse(ir.stdout).results));
    if (engine === "opa" || engine === "wasm" || engine === "gatekeeper") {
      // Rego expresses every library policy but the image rules on scanner reports, which no
      // admission engine can read (packages/ir README, item 18).
      expect([...unjudged].sort()).toEqual([
        "block-vulnerable-images",
        "require-recent-vulnerability-scan",
      ]);
      expect(JSON.parse(other.stdout).summary).toEqual(JSON.parse(ir.stdout).summary);
    }
  });

  it("json rows carry the documented fields", async () => {
    const run = await runCli(["check", "examples/todo-app/insecure", "--format", "json"]);
    const report = JSON.parse(run.stdout);
    expect(Object.keys(report.summary).sort()).toEqual([
      "error",
      "fail",
      "pass",
      "resources",
      "skip",
    ]);
    const row = report.results.find((r: { result: string }) => r.result === "fail");
    expect(Object.keys(row).sort()).toEqual(
      [
        "enforcement",
        "message",
        "policy",
        "resource",
        "result",
        "rule",
        "severity",
        "source",
      ].sort(),
    );
    expect(row.source.file).toMatch(/^examples\/todo-app\/insecure\//);
    expect(row.source.line).toBeGreaterThanOrEqual(1);
  });

  it("reads stdin with -", async () => {
    const pod =
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: registry.example.com/x:1\n    securityContext: {privileged: true}\n";
    const run = await runCli(["check", "-", "--format", "json"], { stdin: pod });
    expect(run.code).toBe(1);
    expect(
      JSON.parse(run.stdout).results.some(
        (r: { policy: string; result: string }) =>
          r.policy === "disallow-privileged-containers" && r.result === "fail",
      ),
    ).toBe(true);
  });
});

describe("charter check on bad input", () => {
  const dir = scratch();
  const file = (name: string, contents: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, contents);
    return path;
  };
  const goodPod =
    "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec: {containers: [{name: c, image: registry.example.com/a:1, securityContext: {runAsNonRoot: true}}]}\n";

  it.each([
    ["broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n"],
    [
      "bomb.yaml",
      `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n`,
    ],
    ["junk.yaml", Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0xc3, 0x28, 0x00, 0x9f])],
  ])(
    "%s: one clear line naming the file, exit 2, the other files still scanned",
    async (name, contents) => {
      const bad = file(name, contents);
      const good = file(`good-${name}`, goodPod);
      const run = await runCli(["check", bad, good, "--format", "json"]);
      expect(run.code).toBe(2);
      const lines = stderrLines(withoutUnconfiguredNotes(run.stderr));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(name);
      expect(lines[0]).toMatch(/error/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(JSON.parse(run.stdout).summary.resources).toBe(1);
    },
  );

  it("a non-Kubernetes document and an empty file are skipped with the reason; nothing found exits 2", async () => {
    const notK8s = file("config.yaml", "just: some\nsettings: true\n");
    const empty = file("empty.yaml", "");
    const run = await runCli(["check", notK8s, empty]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/config\.yaml.*skipped: .+/);
    expect(run.stderr).toMatch(/empty\.yaml.*skipped: .+/);
    expect(run.stderr).toMatch(/no Kubernetes object found/);
  });

  it("a missing path is exit 2", async () => {
    const run = await runCli(["check", join(dir, "nope.yaml")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("nope.yaml");
  });
});

describe("charter test and explain", () => {
  it("every policy case passes on every engine", async () => {
    const run = await runCli(["test", "--engine", "all"]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/ 0 failed/);
    expect(run.code).toBe(0);
  });

  it("explain shows the IR next to the Rego", async () => {
    const run = await runCli(["explain", "restrict-image-registries"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"kind": "quantifier"');
    expect(run.stdout).toContain("package charter.policies.restrict_image_registries");
  });

  it("explain names the known policies when the name is wrong", async () => {
    const run = await runCli(["explain", "no-such-policy"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("disallow-host-path");
  });
});

// Pinned from examples/todo-app/README.md: every (policy, rule, resource) the insecure app fails.
const EXPECTED_INSECURE_FAILURES: string[] = [
  "disallow-capabilities-strict dropAll CronJob todo/worker",
  "disallow-capabilities-strict dropAll Deployment todo/api",
  "disallow-capabilities-strict dropAll Deployment todo/redis",
  "disallow-capabilities-strict dropAll Deployment todo/web",
  "disallow-capabilities-strict dropAll StatefulSet todo/postgres",
  "disallow-host-namespaces hostNetwork Deployment todo/redis",
  "disallow-host-path hostPath StatefulSet todo/postgres",
  "disallow-privilege-escalation privilegeEscalation CronJob todo/worker",
  "disallow-privilege-escalation privilegeEscalation Deployment todo/api",
  "disallow-privilege-escalation privilegeEscalation Deployment todo/redis",
  "disallow-privilege-escalation privilegeEscalation Deployment todo/web",
  "disallow-privilege-escalation privilegeEscalation StatefulSet todo/postgres",
  "disallow-privileged-containers privileged CronJob todo/worker",
  "require-default-deny-network-policy egress CronJob todo/worker",
  "require-default-deny-network-policy egress Deployment todo/api",
  "require-default-deny-network-policy egress Deployment todo/redis",
  "require-default-deny-network-policy egress Deployment todo/web",
  "require-default-deny-network-policy egress StatefulSet todo/postgres",
  "require-default-deny-network-policy ingress CronJob todo/worker",
  "require-default-deny-network-policy ingress Deployment todo/api",
  "require-default-deny-network-policy ingress Deployment todo/redis",
  "require-default-deny-network-policy ingress Deployment todo/web",
  "require-default-deny-network-policy ingress StatefulSet todo/postgres",
  "require-image-digest digest CronJob todo/worker",
  "require-image-digest digest Deployment todo/api",
  "require-image-digest digest Deployment todo/redis",
  "require-image-digest digest Deployment todo/web",
  "require-image-digest digest StatefulSet todo/postgres",
  "require-image-pull-policy-always pullAlways CronJob todo/worker",
  "require-image-pull-policy-always pullAlways Deployment todo/api",
  "require-image-pull-policy-always pullAlways Deployment todo/redis",
  "require-image-pull-policy-always pullAlways Deployment todo/web",
  "require-image-pull-policy-always pullAlways StatefulSet todo/postgres",
  "require-mesh-wide-mtls meshWide Namespace todo",
  "require-read-only-root-filesystem readOnlyRootFilesystem CronJob todo/worker",
  "require-read-only-root-filesystem readOnlyRootFilesystem Deployment todo/api",
  "require-read-only-root-filesystem readOnlyRootFilesystem Deployment todo/redis",
  "require-read-only-root-filesystem readOnlyRootFilesystem Deployment todo/web",
  "require-read-only-root-filesystem readOnlyRootFilesystem StatefulSet todo/postgres",
  "require-requests-limits cpuLimit CronJob todo/worker",
  "require-requests-limits cpuLimit Deployment todo/api",
  "require-requests-limits cpuLimit Deployment todo/redis",
  "require-requests-limits cpuLimit Deployment todo/web",
  "require-requests-limits cpuLimit StatefulSet todo/postgres",
  "require-requests-limits cpuRequest CronJob todo/worker",
  "require-requests-limits cpuRequest Deployment todo/api",
  "require-requests-limits cpuRequest Deployment todo/redis",
  "require-requests-limits cpuRequest Deployment todo/web",
  "require-requests-limits cpuRequest StatefulSet todo/postgres",
  "require-requests-limits memoryLimit CronJob todo/worker",
  "require-requests-limits memoryLimit Deployment todo/api",
  "require-requests-limits memoryLimit Deployment todo/redis",
  "require-requests-limits memoryLimit Deployment todo/web",
  "require-requests-limits memoryLimit StatefulSet todo/postgres",
  "require-requests-limits memoryRequest CronJob todo/worker",
  "require-requests-limits memoryRequest Deployment todo/api",
  "require-requests-limits memoryRequest Deployment todo/redis",
  "require-requests-limits memoryRequest Deployment todo/web",
  "require-requests-limits memoryRequest StatefulSet todo/postgres",
  "require-run-as-non-root containerNotSet CronJob todo/worker",
  "require-run-as-non-root containerNotSet Deployment todo/web",
  "require-run-as-non-root containerNotSet StatefulSet todo/postgres",
  "restrict-image-registries registry CronJob todo/worker",
  "restrict-image-registries registry Deployment todo/api",
  "restrict-image-registries registry Deployment todo/redis",
  "restrict-image-registries registry Deployment todo/web",
  "restrict-image-registries registry StatefulSet todo/postgres",
  "restrict-runtime-class sandboxed CronJob todo/worker",
  "restrict-runtime-class sandboxed Deployment todo/api",
  "restrict-runtime-class sandboxed Deployment todo/redis",
  "restrict-runtime-class sandboxed Deployment todo/web",
  "restrict-runtime-class sandboxed StatefulSet todo/postgres",
  "restrict-seccomp-strict containerNotSet CronJob todo/worker",
  "restrict-seccomp-strict containerNotSet Deployment todo/api",
  "restrict-seccomp-strict containerNotSet Deployment todo/redis",
  "restrict-seccomp-strict containerNotSet Deployment todo/web",
  "restrict-seccomp-strict containerNotSet StatefulSet todo/postgres",
  "restrict-service-account-token automountToken CronJob todo/worker",
  "restrict-service-account-token automountToken Deployment todo/api",
  "restrict-service-account-token automountToken Deployment todo/redis",
  "restrict-service-account-token automountToken Deployment todo/web",
  "restrict-service-account-token automountToken StatefulSet todo/postgres",
  "restrict-volume-types volumeType StatefulSet todo/postgres",
];

describe("system namespaces (charter.config.ts systemNamespaces)", () => {
  const pod = (namespace: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: ${namespace}}\nspec:\n  containers:\n  - name: c\n    image: registry.example.com/x:1\n    securityContext: {privileged: true}\n`;
  const rowsOf = (stdout: string) =>
    JSON.parse(stdout).results as { policy: string; result: string; message: string }[];
  const withConfig = (systemNamespaces: unknown) => {
    const project = scratch();
    const config = join(project, "charter.config.mjs");
    writeFileSync(
      config,
      `export default ${JSON.stringify({ policies: join(repoRoot, "policies"), systemNamespaces })};\n`,
    );
    return config;
  };

  it("check skips every rule for an object in kube-system by default, on every engine", async () => {
    for (const engine of ["ir", "opa", "gatekeeper", "vap-cel"]) {
      const run = await runCli(["check", "-", "--format", "json", "--engine", engine], {
        stdin: pod("kube-system"),
      });
      expect(run.code, run.stderr).toBe(0);
      const rows = rowsOf(run.stdout);
      expect(rows.length).toBeGreaterThan(20);
      for (const row of rows) {
        expect(row.result).toBe("skip");
        expect(row.message).toBe(
          'Pod "agent" is in the system namespace kube-system, which no policy judges so that the control plane is never blocked (the systemNamespaces setting); not judged',
        );
      }
    }
    const elsewhere = await runCli(["check", "-", "--format", "json"], { stdin: pod("team-a") });
    expect(elsewhere.code).toBe(1);
  });

  it("the config lists them: [] judges kube-system, another list skips its namespaces", async () => {
    const none = await runCli(["check", "-", "--format", "json", "--config", withConfig([])], {
      stdin: pod("kube-system"),
    });
    expect(none.code).toBe(1);
    expect(rowsOf(none.stdout).some((r) => r.result === "fail")).toBe(true);
    const infra = withConfig(["infra"]);
    const skipped = await runCli(["check", "-", "--format", "json", "--config", infra], {
      stdin: pod("infra"),
    });
    expect(skipped.code).toBe(0);
    expect(rowsOf(skipped.stdout).every((r) => r.result === "skip")).toBe(true);
  });

  it("build writes them into every target", async () => {
    const out = scratch();
    const run = await runCli([
      "build",
      "--out",
      out,
      "--config",
      withConfig(["infra", "kube-system"]),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const vap = readFileSync(join(out, "vap/disallow-privileged-containers.yaml"), "utf8");
    expect(vap).toMatch(
      /matchResources:\n\s+namespaceSelector:\n\s+matchExpressions:\n\s+- key: kubernetes.io\/metadata.name\n\s+operator: NotIn\n\s+values:\n\s+- infra\n\s+- kube-system/,
    );
    const constraint = readFileSync(
      join(out, "gatekeeper/disallow-privileged-containers/constraint.yaml"),
      "utf8",
    );
    expect(constraint).toMatch(/excludedNamespaces:\n\s+- infra\n\s+- kube-system/);
    const data = JSON.parse(readFileSync(join(out, "rego/charter/data.json"), "utf8"));
    expect(data.systemNamespaces).toEqual(["infra", "kube-system"]);
    const kyverno = readFileSync(join(out, "kyverno/disallow-privileged-containers.yaml"), "utf8");
    expect(kyverno).toMatch(/operator: NotIn\n\s+values:\n\s+- infra\n\s+- kube-system/);
  });

  it.each([
    [["Kube-System"], /not a namespace name/],
    [["kube-system", "kube-system"], /twice/],
    ["kube-system", /must be a list of namespace names/],
  ])("a config listing %j is an error naming the config (exit 2)", async (value, error) => {
    const config = withConfig(value);
    const run = await runCli(["check", "-", "--config", config], { stdin: pod("default") });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(error);
    expect(run.stderr).toContain("charter.config.mjs");
  });

  it("charter test judges a case in kube-system as written", async () => {
    const run = await runCli(["test", "--engine", "ir", "--select", "cis:5.6.4"]);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/✓ disallow-default-namespace/);
  });
});
