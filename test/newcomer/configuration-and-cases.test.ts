/**
 * Issue 12, requirements 5, 6, 7 and 10: the configuration is checked with names, cases carry
 * their own parameters, case output points at the case, and a file without a policy says so
 * in one line. Each test runs `charter` in-process on a temporary project.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pod, podWith, policy, string, when, withParams } from "@charter/dsl";
import type { Policy } from "@charter/ir";
import { findCelJudge, findOpa } from "@charter/runtime";
import { describe, expect, it } from "vitest";
import { runCases } from "../../packages/cli/src/case-runner.js";
import { chooseEngines } from "../../packages/cli/src/engines.js";
import { requireEngine } from "../support/engines.js";
import { repoRoot, runCli } from "../support/run-cli.js";

/** The DSL's sources: the project's policies see this checkout's DSL, built or not. */
const DSL = JSON.stringify(join(repoRoot, "packages/dsl/src/index.ts"));

/** A project folder with these files (paths relative to it). */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "charter-newcomer-"));
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** An Ingress-host policy with a `suffix` parameter; `extra` goes into its spec. */
function ingressPolicy(
  options: { suffix?: string; cases?: string; controls?: string; pattern?: boolean } = {},
): string {
  const suffix = JSON.stringify(options.suffix ?? ".example.com");
  const condition = options.pattern
    ? "any r in object.spec.rules: not (r.host matches params.suffix)"
    : "any r in object.spec.rules: not (r.host endsWith params.suffix)";
  return [
    `import { kinds, policy, string, when } from ${DSL};`,
    "",
    'const ingress = (host: string, namespace = "web") => ({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: host.replaceAll(".", "-"), namespace }, spec: { rules: [{ host }] } });',
    "",
    'export default policy("ingress-host", {',
    '  title: "Ingress hosts end with the company suffix",',
    '  severity: "medium",',
    '  category: "Network",',
    `  controls: ${options.controls ?? '["area:network"]'},`,
    '  match: kinds("networking.k8s.io/v1/Ingress"),',
    "  params: {",
    `    suffix: string().default(${suffix}),`,
    "  },",
    "  rules: {",
    "    host: {",
    `      fail: when\`${condition}\`,`,
    '      message: "host {{r.host}} is not one of ours",',
    "    },",
    "  },",
    `  cases: ${options.cases ?? '{ pass: [ingress("a.example.com")], fail: [ingress("a.other.org")] }'},`,
    "});",
    "",
  ].join("\n");
}

const config = (body: string) =>
  ["export default {", '  policies: "policies",', body, "};", ""].join("\n");

const FAST = ["--engine", "ir,kyverno-cel,vap-cel"];

describe("requirement 5: the configuration is checked, with names", () => {
  it("a parameter of the wrong type is reported at the config file's line, with its key path", async () => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy(),
      "charter.config.ts": config(
        [
          '  // an example in a comment is not the key: params: { "ingress-host": { suffix: 1 } }',
          "  params: {",
          '    "ingress-host": {',
          "      suffix: 3,",
          "    },",
          "  },",
        ].join("\n"),
      ),
    });
    for (const command of ["build", "test"]) {
      const run = await runCli([command], { cwd: dir });
      expect(run.code, command).toBe(2);
      expect(run.stderr).toContain(
        `${join(dir, "charter.config.ts")}:6: error: params.ingress-host.suffix must be string`,
      );
      expect(run.stderr).not.toContain("policies/ingress.ts");
    }
  });

  it("an unknown parameter is named, with the nearest one", async () => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy(),
      "charter.config.ts": config('  params: { "ingress-host": { sufix: ".corp.example" } },'),
    });
    const run = await runCli(["build"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "charter.config.ts:3: error: params.ingress-host.sufix is not a parameter of this policy; did you mean `suffix`?",
    );
    expect(run.stderr).toContain("hint: its parameters are suffix");
    expect(run.stderr).not.toMatch(/additional properties/);
  });

  it("an unknown policy under params is an error with a did-you-mean", async () => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy(),
      "charter.config.ts": config('  params: { "ingres-host": { suffix: ".corp.example" } },'),
    });
    const run = await runCli(["build"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "charter.config.ts:3: error: params names the policy `ingres-host`, which is not loaded; did you mean `ingress-host`?",
    );
  });

  it("an exception naming an unknown policy is an error with a did-you-mean", async () => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy(),
      "exceptions/index.ts": [
        `import { exception } from ${DSL};`,
        'export default exception("legacy", {',
        '  policy: "ingres-host",',
        '  reason: "legacy hosts", owner: "web-team", expires: "2099-01-01",',
        '  match: { namespaces: ["web"] },',
        "});",
        "",
      ].join("\n"),
      "charter.config.ts": config('  exceptions: "exceptions",'),
    });
    const run = await runCli(["build"], { cwd: dir });
    expect(run.stderr).toMatch(
      /names policy ingres-host, which is not loaded; did you mean `ingress-host`\?/,
    );
    expect(run.code).toBe(2);
  });

  it("an unknown key of the config is an error with a did-you-mean", async () => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy(),
      "charter.config.ts": config('  param: { "ingress-host": { suffix: ".corp.example" } },'),
    });
    const run = await runCli(["build"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown key `param`; did you mean `params`?");
  });

  it("an unknown control tag is a warning at test and build, naming the policy's line", async () => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy({ controls: '["area:netwrk"]' }),
      "charter.config.ts": config(""),
    });
    for (const args of [["build"], ["test", ...FAST]]) {
      const run = await runCli(args, { cwd: dir });
      expect(run.code, args[0]).toBe(0);
      expect(run.stderr).toMatch(
        /policies\/ingress\.ts:\d+: warning: policy ingress-host cites the control "area:netwrk", which is not in the vocabulary; did you mean `area:network`\?/,
      );
    }
    const known = project({
      "policies/ingress.ts": ingressPolicy(),
      "charter.config.ts": config(""),
    });
    expect((await runCli(["build"], { cwd: known })).stderr).not.toMatch(/warning/);
  });
});

describe("requirement 6: cases and parameters", () => {
  const override = config('  params: { "ingress-host": { suffix: ".corp.example" } },');

  it("the policy's cases run with its defaults, not with the config's values", async () => {
    const dir = project({ "policies/ingress.ts": ingressPolicy(), "charter.config.ts": override });
    const run = await runCli(["test", ...FAST], { cwd: dir });
    expect(run.stdout).toContain("✓ ingress-host  2 cases");
    expect(run.code).toBe(0);
    // …and it says that the configured values were not tested.
    expect(run.stderr).toContain(
      'note: ingress-host: its cases run with the policy\'s parameter defaults, not with the values in charter.config.ts; a case with `params: {"suffix":".corp.example"}` would test those',
    );
  });

  it("the config's values are what build and check use (tested separately from the cases)", async () => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy(),
      "charter.config.ts": override,
      "k8s/app.yaml": [
        "apiVersion: networking.k8s.io/v1",
        "kind: Ingress",
        "metadata: {name: app, namespace: web}",
        "spec: {rules: [{host: app.corp.example}]}",
        "",
      ].join("\n"),
    });
    const check = await runCli(["check", "k8s", "--format", "json"], { cwd: dir });
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout).results.map((r: { result: string }) => r.result)).toEqual([
      "pass",
    ]);
    // The same manifest under the defaults (a config without params) fails.
    writeFileSync(join(dir, "defaults.config.ts"), config(""));
    const defaults = await runCli(
      ["check", "k8s", "--format", "json", "--config", "defaults.config.ts"],
      { cwd: dir },
    );
    expect(defaults.code).toBe(1);
    expect(JSON.parse(defaults.stdout).results.map((r: { result: string }) => r.result)).toEqual([
      "fail",
    ]);
  });

  it("a case may carry its own params; it runs with them on every engine", async () => {
    const cases = `{
    pass: [
      ingress("a.example.com"),
      { name: "corp host under the corp suffix", resource: ingress("a.corp.example"), params: { suffix: ".corp.example" } },
    ],
    fail: [
      { name: "example host under the corp suffix", resource: ingress("b.example.com"), params: { suffix: ".corp.example" } },
      ingress("a.other.org"),
      fromYaml("cases/corp.yaml", { rules: ["host"], params: { suffix: ".corp.example" } }),
    ],
  }`;
    const yaml = [
      "apiVersion: networking.k8s.io/v1",
      "kind: Ingress",
      "metadata: {name: yaml-host, namespace: web}",
      "spec: {rules: [{host: c.example.com}]}",
      "",
    ].join("\n");
    const withYaml = (text: string) => text.replace("import { kinds,", "import { fromYaml, kinds,");
    const dir = project({
      "policies/ingress.ts": withYaml(ingressPolicy({ cases })),
      "policies/cases/corp.yaml": yaml,
      "charter.config.ts": config(""),
    });
    // Every engine, the real OPA and the Kubernetes CEL judge among them.
    if (requireEngine("opa", findOpa()) && requireEngine("cel-judge", findCelJudge())) {
      const run = await runCli(["test", "--engine", "all"], { cwd: dir });
      expect(run.stdout).toContain("✓ ingress-host  5 cases");
      expect(run.stdout).toContain("on ir, opa, wasm, gatekeeper, kyverno-cel, vap-cel, cel-judge");
      expect(run.code).toBe(0);
    }
    // The case's params matter: without them the same cases fail.
    const stripped = project({
      "policies/ingress.ts": withYaml(
        ingressPolicy({ cases: cases.replaceAll(', params: { suffix: ".corp.example" }', "") }),
      ),
      "policies/cases/corp.yaml": yaml,
      "charter.config.ts": config(""),
    });
    const without = await runCli(["test", ...FAST], { cwd: stripped });
    expect(without.code).toBe(1);
    expect(without.stdout).toContain("pass/corp host under the corp suffix");
    expect(without.stdout).toContain("fail/example host under the corp suffix");
    expect(without.stdout).toContain("fail/Ingress/yaml-host (policies/cases/corp.yaml:1)");
  }, 240_000);

  it("a case's params are checked against the policy's parameters", async () => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy({
        cases:
          '{ pass: [{ name: "x", resource: ingress("a.example.com"), params: { sufix: "." } }] }',
      }),
    });
    const run = await runCli(["test", ...FAST, "--policies", "policies"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'case "x": its params do not fit the policy: params.sufix is not a parameter of this policy; did you mean `suffix`?',
    );
  });

  it("a parameter default used as a regular expression is checked against RE2", async () => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy({ pattern: true, suffix: "^(?!internal).*$" }),
      "charter.config.ts": config(""),
    });
    const run = await runCli(["build"], { cwd: dir });
    expect(run.code).toBe(2);
    // Reported where the default is given (line 12: `suffix: string().default(…)`).
    expect(run.stderr).toMatch(
      /ingress\.ts:12:\d+: error: policy "ingress-host": the default of params\.suffix: the pattern "\^\(\?!internal\)\.\*\$" is not a valid RE2 regular expression/,
    );
    expect(run.stderr).toContain("RE2 has no lookaround");
  });

  it("a configured value used as a regular expression is checked against RE2, at the config's line", async () => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy({ pattern: true, suffix: "\\.example\\.com$" }),
      "charter.config.ts": config(
        ["  params: {", '    "ingress-host": { suffix: "^(?!internal).*$" },', "  },"].join("\n"),
      ),
    });
    const run = await runCli(["build"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /charter\.config\.ts:4: error: params\.ingress-host\.suffix the pattern .* is not a valid RE2 regular expression/,
    );
  });
});

describe("requirement 6: why a parameter pattern is checked — the real engines disagree on it", () => {
  it("the Kubernetes CEL environment refuses to compile what the check refuses; OPA silently fails it", async () => {
    const judge = requireEngine("cel-judge", findCelJudge());
    const opa = requireEngine("opa", findOpa());
    if (!judge || !opa) return;
    const good = policy("p", {
      title: "t",
      severity: "low",
      category: "c",
      match: pod,
      params: { pattern: string().default("^registry\\.") },
      rules: {
        r: {
          fail: when`any c in pod.containers: not (c.image matches params.pattern)`,
          message: "m",
        },
      },
      cases: { pass: [podWith({ image: "registry.example.com/a:1" })] },
    });
    const lookahead = "^(?!internal).*$";
    // What the check refuses…
    expect(() => withParams(good, { pattern: lookahead })).toThrow(/not a valid RE2/);
    // …set around it, as a hand-written IR or an old Charter would ship it.
    const shipped: Policy = {
      ...good,
      parameters: { ...good.parameters, values: { pattern: lookahead } },
    };
    const { engines } = chooseEngines([shipped], ["cel-judge", "opa"], true);
    const [report] = await runCases([shipped], engines);
    expect(report?.problems.join("\n")).toMatch(
      /\[cel-judge\]: evaluation error: .*invalid matches argument/,
    );
    expect(report?.problems.join("\n")).toMatch(/\[opa\]: expected to pass, but r failed/);
  }, 120_000);
});

describe("requirement 7: case output points at the case", () => {
  it("a failing case is one line naming its file and line and the engines", async () => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy({
        cases: '{ pass: [ingress("a.other.org")], fail: [fromYaml("cases/bad.yaml")] }',
      }).replace("import { kinds,", "import { fromYaml, kinds,"),
      "policies/cases/bad.yaml": [
        "# a host under the right suffix: the policy passes it, so this fail case fails",
        "apiVersion: networking.k8s.io/v1",
        "kind: Ingress",
        "metadata: {name: good, namespace: web}",
        "spec: {rules: [{host: good.example.com}]}",
        "---",
        "apiVersion: networking.k8s.io/v1",
        "kind: Ingress",
        "metadata: {name: bad, namespace: web}",
        "spec: {rules: [{host: bad.example.com}]}",
        "",
      ].join("\n"),
      "charter.config.ts": config(""),
    });
    const run = await runCli(["test", ...FAST], { cwd: dir });
    expect(run.code).toBe(1);
    const lines = run.stdout.split("\n").filter((line) => line.startsWith("    "));
    expect(lines).toEqual([
      expect.stringMatching(
        /^ {4}pass\/Ingress\/a-other-org \(policies\/ingress\.ts:20\) \[ir, kyverno-cel, vap-cel\]: expected to pass, but host failed/,
      ),
      "    fail/Ingress/good (policies/cases/bad.yaml:2) [ir, kyverno-cel, vap-cel]: expected to fail, but every rule passed",
      "    fail/Ingress/bad (policies/cases/bad.yaml:7) [ir, kyverno-cel, vap-cel]: expected to fail, but every rule passed",
    ]);
  });

  it("a policy without cases is a warning, and an error under --strict", async () => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy({ cases: "{}" }),
      "charter.config.ts": config(""),
    });
    const run = await runCli(["test", ...FAST], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("! ingress-host  0 cases: write cases.pass and cases.fail");
    expect(run.stdout).not.toContain("✓ ingress-host");
    expect(run.stdout).toContain("0 passed, 0 failed, 1 policy without cases");
    const strict = await runCli(["test", ...FAST, "--strict"], { cwd: dir });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain("✗ ingress-host  0 cases");
    expect(strict.stdout).toContain("0 passed, 1 failed");
  });

  it("objects of the same kind and name in different namespaces are two cases; a case may name itself", async () => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy({
        cases:
          '{ pass: [ingress("a.example.com", "web"), ingress("a.example.com", "shop"), { name: "my own name", resource: ingress("b.example.com") }] }',
      }),
      "charter.config.ts": config(""),
    });
    const run = await runCli(["test", ...FAST], { cwd: dir });
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("✓ ingress-host  3 cases");
    expect(run.code).toBe(0);
    const same = project({
      "policies/ingress.ts": ingressPolicy({
        cases: '{ pass: [ingress("a.example.com", "web"), ingress("a.example.com", "web")] }',
      }),
      "charter.config.ts": config(""),
    });
    const clash = await runCli(["test", ...FAST], { cwd: same });
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('two cases are named "Ingress/a-example-com"');
    expect(clash.stderr).toContain('name one yourself: { name: "…", resource }');
  });
});

describe("requirement 10: a file without a policy gets one clear line", () => {
  it.each([
    ["an empty file", ""],
    ["a default export that is not a policy", 'export default { name: "x" };\n'],
    ["an empty list", "export default [];\n"],
  ])("%s", async (_, text) => {
    const dir = project({
      "policies/ingress.ts": ingressPolicy(),
      "policies/x.ts": text,
      "charter.config.ts": config(""),
    });
    const run = await runCli(["build"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("policies/x.ts: error: exports no policy; export default policy(…)\n");
  });

  it("a policy exported by name is pointed at", async () => {
    const dir = project({
      "policies/x.ts": ingressPolicy().replace(
        "export default policy(",
        "export const ingressHost = policy(",
      ),
      "charter.config.ts": config(""),
    });
    const run = await runCli(["build"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "policies/x.ts: error: exports no policy; export default policy(…)",
    );
    expect(run.stderr).toContain(
      "hint: it exports ingressHost by name; make it the default export",
    );
  });
});
