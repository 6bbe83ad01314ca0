/**
 * Issue 12, requirements 8 and 9: what `charter check` says about manifests a newcomer gets
 * wrong. An object of an apiVersion Kubernetes does not serve is an error row in every report
 * (never a silent pass); YAML mistakes are reported at the line to change, in plain words.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { findOpa, loadResources } from "@charter/runtime";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { requireEngine } from "../support/engines.js";
import { repoRoot, runCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "charter-newcomer-loader-"));
const MANIFEST = join(dir, "app.yaml");
writeFileSync(
  MANIFEST,
  `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
    - name: web
      image: nginx:1.27
      securityContext: {privileged: true}
---
# from an old chart
apiVersion: extensions/v1beta1
kind: DaemonSet
metadata:
  name: fluentd
  namespace: logging
spec:
  template:
    spec:
      containers:
        - name: fluentd
          image: fluentd:1.16
          securityContext: {privileged: true}
---
apiVersion: apps/v2
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      containers: [{name: api, image: api:1}]
---
apiVersion: example.com/v1
kind: Deployment
metadata: {name: custom, namespace: shop}
`,
);
const FILE = relative(repoRoot, MANIFEST);
const SELECT = ["--select", "pss:baseline:privileged"];
const DAEMONSET_ERROR =
  "extensions/v1beta1 DaemonSet: Kubernetes stopped serving this API version in 1.16; use apiVersion: apps/v1 (Kubernetes' deprecation guide)";
const DEPLOYMENT_ERROR =
  "apps/v2 Deployment: Kubernetes has no such API version; Deployment is served as apps/v1";

const check = (...args: string[]) => runCli(["check", MANIFEST, ...SELECT, ...args]);

interface JsonReport {
  results: { policy?: string; result: string; message: string; source?: { line: number } }[];
  summary: { resources: number; error: number; fail: number };
}

describe("an object of an apiVersion Kubernetes does not serve (requirement 8)", () => {
  it("is an error row with file:line, counted in the summary, exit 2 (JSON)", async () => {
    const run = await check("--format", "json");
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as JsonReport;
    const errors = report.results.filter((row) => row.policy === undefined);
    expect(errors).toEqual([
      {
        result: "error",
        message: DAEMONSET_ERROR,
        resource: {
          apiVersion: "extensions/v1beta1",
          kind: "DaemonSet",
          namespace: "logging",
          name: "fluentd",
        },
        source: { file: FILE, line: 13 },
      },
      {
        result: "error",
        message: DEPLOYMENT_ERROR,
        resource: { apiVersion: "apps/v2", kind: "Deployment", namespace: "shop", name: "api" },
        source: { file: FILE, line: 26 },
      },
    ]);
    // The served Pod is still judged; the custom resource is nobody's error.
    expect(report.summary).toMatchObject({ resources: 4, error: 2, fail: 1 });
    expect(run.stderr).toContain(`${FILE}:13: error: ${DAEMONSET_ERROR}`);
  });

  it("rows come in document order, the same on every engine", async () => {
    const order = (stdout: string) =>
      (JSON.parse(stdout) as JsonReport).results.map(
        (r) => `${r.source?.line} ${r.policy ?? "-"} ${r.result}`,
      );
    const ir = await check("--format", "json");
    const cel = await check("--format", "json", "--engine", "kyverno-cel");
    expect(cel.code).toBe(2);
    expect(order(cel.stdout)).toEqual(order(ir.stdout));
    if (requireEngine("opa", findOpa())) {
      const opa = await check("--format", "json", "--engine", "opa");
      expect(opa.code).toBe(2);
      expect(order(opa.stdout)).toEqual(order(ir.stdout));
    }
    expect(order(ir.stdout).map((line) => line.split(" ")[0])).toEqual(["1", "13", "26"]);
  });

  it("--select cannot hide it: a selection matching nothing still reports it", async () => {
    const run = await runCli(["check", MANIFEST, "--select", "cis:5.1.1", "--format", "json"]);
    expect(run.code).toBe(2);
    expect((JSON.parse(run.stdout) as JsonReport).summary.error).toBe(2);
  });

  it("table: under its resource, with the reason, and in the summary", async () => {
    const run = await check();
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      `DaemonSet logging/fluentd  ${FILE}:13\n  ERROR ${DAEMONSET_ERROR}`,
    );
    expect(run.stdout).toMatch(/2 errors/);
    // The table shows it; stderr does not repeat it.
    expect(run.stderr).not.toContain(DAEMONSET_ERROR);
    const quiet = await check("--quiet");
    expect(quiet.stdout).toContain(`  ERROR ${DAEMONSET_ERROR}`);
  });

  it("sarif: a located error result under charter:input/api-version, valid SARIF 2.1.0", async () => {
    const run = await check("--format", "sarif");
    const sarif = JSON.parse(run.stdout);
    const schema = join(repoRoot, "../shared/schemas/sarif/sarif-schema-2.1.0.draft-07.json");
    const validate = new Ajv({
      strict: false,
      validateFormats: false,
      unicodeRegExp: false,
    }).compile(JSON.parse(readFileSync(schema, "utf8")));
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const result = sarif.runs[0].results.find(
      (r: { ruleId: string }) => r.ruleId === "charter:input/api-version",
    );
    expect(result).toMatchObject({
      level: "error",
      message: { text: `DaemonSet logging/fluentd: ${DAEMONSET_ERROR}` },
      locations: [
        { physicalLocation: { artifactLocation: { uri: FILE }, region: { startLine: 13 } } },
      ],
    });
  });

  it("junit: an <error> in the suite charter:input", async () => {
    const run = await check("--format", "junit");
    expect(run.stdout).toMatch(
      /<testsuite name="charter:input" id="\d+" tests="2" failures="0" errors="2" skipped="0"/,
    );
    expect(run.stdout).toContain(
      `<testcase name="api-version: DaemonSet logging/fluentd" classname="charter:input" file="${FILE}" line="13" time="0">`,
    );
    expect(run.stdout).toMatch(
      /<error message="extensions\/v1beta1 DaemonSet: Kubernetes stopped serving/,
    );
  });

  it.each(["policyreport", "openreports"])(
    "%s: an error result, policy charter:input, with file and line",
    async (format) => {
      const run = await check("--format", format);
      const reports = parseAllDocuments(run.stdout).map((d) => d.toJS());
      const logging = reports.find((r) => r.metadata.namespace === "logging");
      expect(logging.summary).toMatchObject({ error: 1 });
      expect(logging.results[0]).toMatchObject({
        policy: "charter:input",
        rule: "api-version",
        result: "error",
        message: DAEMONSET_ERROR,
        resources: [
          {
            apiVersion: "extensions/v1beta1",
            kind: "DaemonSet",
            namespace: "logging",
            name: "fluentd",
          },
        ],
        properties: { file: FILE, line: "13" },
      });
      expect(logging.results[0].severity).toBeUndefined();
      // What the CRD requires of a result.
      const crd =
        format === "policyreport"
          ? "policyreport/wgpolicyk8s.io_policyreports.yaml"
          : "openreports/openreports.io_reports.yaml";
      const spec = parseYaml(readFileSync(join(repoRoot, "../shared/schemas", crd), "utf8")).spec;
      const resultSchema = spec.versions[0].schema.openAPIV3Schema.properties.results.items;
      const validate = new Ajv({ strict: false, validateFormats: false }).compile(resultSchema);
      expect(validate(logging.results[0]), JSON.stringify(validate.errors)).toBe(true);
    },
  );

  it("github: an ::error annotation at its file and line", async () => {
    const run = await check("--format", "github");
    expect(run.stdout).toContain(
      `::error file=${FILE},line=13,title=charter%3Ainput/api-version::DaemonSet logging/fluentd: ${DAEMONSET_ERROR}`,
    );
  });

  it("the loader still gives such objects to whoever judges them (cases, conformance suites)", async () => {
    const { resources, problems } = await loadResources([MANIFEST]);
    expect(problems).toEqual([]);
    expect(resources.map((r) => (r.object as { apiVersion: string }).apiVersion)).toEqual([
      "v1",
      "extensions/v1beta1",
      "apps/v2",
      "example.com/v1",
    ]);
  });
});

describe("YAML mistakes in a manifest (requirement 9)", () => {
  it("check names the line to change in plain words, the parser's words after them", async () => {
    const broken = join(dir, "broken.yaml");
    writeFileSync(
      broken,
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n    namespace: shop\nspec: {}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n\tname: tabbed\n",
    );
    const run = await runCli(["check", broken, ...SELECT]);
    const file = relative(repoRoot, broken);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${file}:5:5: error: line 5 is indented further than the key above it: \`namespace:\` starts at column 5, \`name:\` on line 4 at column 3; indent both alike, or give \`name:\` no value on its line to nest under it (YAML parser: Nested mappings are not allowed in compact mappings)\n`,
    );
    expect(run.stderr).toContain(
      `${file}:11:1: error: line 11 is indented with a tab: YAML allows only spaces in indentation; replace the tab with spaces (YAML parser: Tabs are not allowed as indentation)\n`,
    );
    expect(run.stderr).not.toMatch(/at line \d+, column \d+:/);
  });
});

describe("the table of built-in kinds", () => {
  const go = spawnSync("go", ["version"], { encoding: "utf8" }).status === 0 ? "go" : undefined;
  it("is what k8s.io/api registers (scripts/gen-k8s-kinds.sh --check)", () => {
    if (!requireEngine("go", go)) return;
    const run = spawnSync(join(repoRoot, "scripts/gen-k8s-kinds.sh"), ["--check"], {
      encoding: "utf8",
      timeout: 300_000,
    });
    expect(run.status, run.stderr).toBe(0);
  }, 310_000);
});
