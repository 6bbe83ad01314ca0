/**
 * `charter check --format …` end to end on the example app: each report format is checked by
 * its own schema or parser (SARIF 2.1.0, the PolicyReport and OpenReports CRDs, an XML parser,
 * the workflow-command grammar), also with hostile text in messages; and `--output` writes the
 * report whole or not at all.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crdVersionSchema, kubernetesAjv, strictSchema } from "@charter/test-support/crd-schemas";
import { Ajv, type ValidateFunction } from "ajv";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { repoRoot, runCli } from "./support/run-cli.js";

const schemas = join(repoRoot, "..", "shared", "schemas");
const INSECURE = "examples/todo-app/insecure";
const scratch = () => mkdtempSync(join(tmpdir(), "charter-reports-"));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
const _isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const ajv = kubernetesAjv();

function crdValidator(file: string, version: string): ValidateFunction {
  const schema = crdVersionSchema(file, version);
  // The API server also wants a name (and a namespaced report its namespace).
  return ajv.compile({
    allOf: [
      strictSchema(schema),
      { required: ["metadata"], properties: { metadata: { required: ["name"] } } },
    ],
  });
}

const REPORT_VALIDATORS: Record<string, ValidateFunction> = {
  "wgpolicyk8s.io/v1alpha2 PolicyReport": crdValidator(
    "policyreport/wgpolicyk8s.io_policyreports.yaml",
    "v1alpha2",
  ),
  "wgpolicyk8s.io/v1alpha2 ClusterPolicyReport": crdValidator(
    "policyreport/wgpolicyk8s.io_clusterpolicyreports.yaml",
    "v1alpha2",
  ),
  "openreports.io/v1alpha1 Report": crdValidator(
    "openreports/openreports.io_reports.yaml",
    "v1alpha1",
  ),
  "openreports.io/v1alpha1 ClusterReport": crdValidator(
    "openreports/openreports.io_clusterreports.yaml",
    "v1alpha1",
  ),
};

const sarifValidator = new Ajv({
  allErrors: true,
  strict: false,
  validateFormats: false,
  unicodeRegExp: false,
}).compile(
  JSON.parse(readFileSync(join(schemas, "sarif/sarif-schema-2.1.0.draft-07.json"), "utf8")),
);

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  htmlEntities: true,
  trimValues: false,
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) => ["testsuite", "testcase"].includes(name),
});

/** Well-formed by every check we can make: a parser, XML 1.0 characters, no CDATA end. */
function expectWellFormedXml(xml: string): void {
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(xml).toMatch(/^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u);
  expect(xml).not.toContain("]]>");
}

const hasPython = spawnSync("python3", ["-c", "import xml.dom.minidom"]).status === 0;

/** expat is a strict, conforming parser: where python3 is present, it has the last word. */
function expatAccepts(xml: string): boolean {
  return (
    spawnSync(
      "python3",
      ["-c", "import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())"],
      {
        input: Buffer.from(xml, "utf8"),
      },
    ).status === 0
  );
}

interface JsonRow {
  policy: string;
  rule: string;
  result: string;
  enforcement: string;
  message: string;
  resource: { kind: string; namespace?: string; name: string };
  source?: { file: string; line: number };
}

let rows: JsonRow[];
let summary: { resources: number; pass: number; fail: number; skip: number; error: number };

beforeAll(async () => {
  const run = await runCli(["check", INSECURE, "--format", "json"]);
  ({ results: rows, summary } = JSON.parse(run.stdout));
});

/** A Pod whose image and container name put hostile text into the failure messages. */
const HOSTILE_IMAGE = "evil.io/a<b&c>\"d]]>e%25f,g:h'i😀";
const hostilePod = JSON.stringify({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "hostile", namespace: "ns" },
  spec: {
    containers: [{ name: "c-%0A-x", image: HOSTILE_IMAGE, securityContext: { privileged: true } }],
  },
});

describe("check --format junit", () => {
  it("the example app: well-formed, one suite per policy, one testcase per row", async () => {
    const run = await runCli(["check", INSECURE, "--format", "junit"]);
    expect(run.code).toBe(1);
    expectWellFormedXml(run.stdout);
    const doc = xmlParser.parse(run.stdout);
    expect(doc.testsuites).toMatchObject({
      tests: String(rows.length),
      failures: String(summary.fail),
      errors: String(summary.error),
      skipped: String(summary.skip),
    });
    const suites = doc.testsuites.testsuite as {
      name: string;
      testcase: { file: string; line: string; failure?: object }[];
    }[];
    expect(suites.map((s) => s.name)).toEqual(
      [...new Set(rows.map((r) => r.policy))].sort((a, b) => (a < b ? -1 : 1)),
    );
    const cases = suites.flatMap((s) => s.testcase);
    expect(cases).toHaveLength(rows.length);
    expect(cases.filter((c) => c.failure)).toHaveLength(summary.fail);
    expect(cases.every((c) => c.file.startsWith(`${INSECURE}/`) && Number(c.line) >= 1)).toBe(true);
  });

  it("hostile text in messages stays well-formed", async () => {
    const run = await runCli(["check", "-", "--format", "junit"], { stdin: hostilePod });
    expect(run.code).toBe(1);
    expectWellFormedXml(run.stdout);
    const failures = (
      xmlParser.parse(run.stdout).testsuites.testsuite as {
        testcase: { failure?: { message: string } }[];
      }[]
    )
      .flatMap((s) => s.testcase)
      .flatMap((c) => (c.failure ? [c.failure.message] : []));
    expect(failures.some((message) => message.includes(HOSTILE_IMAGE))).toBe(true);
  });

  it.skipIf(!hasPython)("expat parses the reports, hostile ones included", async () => {
    const plain = await runCli(["check", INSECURE, "--format", "junit"]);
    const hostile = await runCli(["check", "-", "--format", "junit"], { stdin: hostilePod });
    expect(expatAccepts(plain.stdout)).toBe(true);
    expect(expatAccepts(hostile.stdout)).toBe(true);
    // The check bites: an unescaped ampersand is refused.
    expect(expatAccepts("<a>x & y</a>")).toBe(false);
  });
});

describe("check --format policyreport and openreports", () => {
  it.each([
    ["policyreport", "wgpolicyk8s.io/v1alpha2", "PolicyReport", "ClusterPolicyReport"],
    ["openreports", "openreports.io/v1alpha1", "Report", "ClusterReport"],
  ])(
    "%s: every document validates against its CRD",
    async (format, apiVersion, namespaced, cluster) => {
      const run = await runCli(["check", INSECURE, "--format", format]);
      expect(run.code).toBe(1);
      const documents = parseAllDocuments(run.stdout).map((d) => {
        expect(d.errors).toEqual([]);
        return d.toJS() as {
          apiVersion: string;
          kind: string;
          metadata: { namespace?: string };
          summary: Record<string, number>;
          results: {
            result: string;
            resources: { namespace?: string }[];
            properties: Record<string, string>;
          }[];
        };
      });
      for (const document of documents) {
        const validate = REPORT_VALIDATORS[`${document.apiVersion} ${document.kind}`];
        expect(validate, `${document.apiVersion} ${document.kind}`).toBeDefined();
        expect(validate?.(document), JSON.stringify(validate?.errors?.slice(0, 3))).toBe(true);
      }
      // The schemas bite: an unknown result and an unknown field are refused.
      const validate = REPORT_VALIDATORS[`${apiVersion} ${namespaced}`];
      const broken = structuredClone(documents[0]);
      if (broken?.results[0]) broken.results[0].result = "failed";
      expect(validate?.(broken)).toBe(false);
      expect(validate?.({ ...documents[0], summry: {} })).toBe(false);

      expect(documents.map((d) => `${d.kind} ${d.metadata.namespace ?? ""}`)).toEqual([
        `${namespaced} todo`,
        `${cluster} `,
      ]);
      // Every row is in exactly one report, and each report's summary counts its results.
      expect(documents.flatMap((d) => d.results)).toHaveLength(rows.length);
      for (const document of documents) {
        const counted = Object.values(document.summary).reduce((a, b) => a + b, 0);
        expect(counted).toBe(document.results.length);
        for (const result of document.results) {
          expect(result.resources[0]?.namespace).toBe(document.metadata.namespace);
          expect(result.properties.file).toMatch(/^examples\/todo-app\/insecure\//);
        }
      }
      expect(documents.flatMap((d) => d.results).filter((r) => r.result === "fail")).toHaveLength(
        summary.fail,
      );
    },
  );
});

describe("check --format github", () => {
  const COMMAND = /^::(error|warning|notice) file=[^,:]+,line=\d+,title=[^,:]+::[^\r\n]*$/;

  it("one annotation per failure, each at its file and line, then the summary", async () => {
    const run = await runCli(["check", INSECURE, "--format", "github"]);
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split("\n");
    const annotations = lines.slice(0, -1);
    expect(annotations).toHaveLength(summary.fail + summary.error);
    for (const line of annotations) expect(line).toMatch(COMMAND);
    expect(lines.at(-1)).toMatch(/^charter: 12 resources/);
  });

  it("hostile text cannot end a command or forge a property", async () => {
    const run = await runCli(["check", "-", "--format", "github"], { stdin: hostilePod });
    const lines = run.stdout.trimEnd().split("\n");
    for (const line of lines.slice(0, -1)) expect(line).toMatch(COMMAND);
    expect(run.stdout).toContain("evil.io/a<b&c>\"d]]>e%2525f,g:h'i😀");
  });
});

describe("check --format sarif with hostile text", () => {
  it("stays valid SARIF and keeps the message", async () => {
    const run = await runCli(["check", "-", "--format", "sarif"], { stdin: hostilePod });
    const sarif = JSON.parse(run.stdout);
    expect(sarifValidator(sarif), JSON.stringify(sarifValidator.errors?.slice(0, 3))).toBe(true);
    const results = sarif.runs[0].results as {
      ruleId: string;
      message: { text: string };
      locations: object[];
    }[];
    expect(results.some((r) => r.message.text.includes(HOSTILE_IMAGE))).toBe(true);
    expect(
      results.every((r) => /^[a-z0-9-]+\/[A-Za-z0-9]+$/.test(r.ruleId) && r.locations.length === 1),
    ).toBe(true);
  });
});

describe("check --format table", () => {
  it("groups by resource; --quiet keeps failures and the summary", async () => {
    const run = await runCli(["check", INSECURE]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^Deployment todo\/api {2}examples\/todo-app\/insecure\/api\.yaml:\d+\n {2}FAIL /m,
    );
    // The library's scan-only image rules, not judged without --vuln-reports: one line, no rows.
    expect(run.stdout).not.toMatch(/SKIP .*block-vulnerable-images/);
    expect(run.stdout).toMatch(
      /^\d+ checks of block-vulnerable-images, require-recent-vulnerability-scan not judged without --vuln-reports \(--verbose lists them\)$/m,
    );
    const quiet = await runCli(["check", INSECURE, "--quiet"]);
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).not.toMatch(/SKIP|PASS/);
    expect(quiet.stdout.trimEnd().split("\n").at(-1)).toBe(
      `12 resources, ${rows.length} checks: ${summary.pass} passed, ${summary.fail} failed, ${summary.skip} skipped, ${summary.error} errors`,
    );
  });
});

describe("check --output", () => {
  it("writes the report to the file, creating folders, and nothing to stdout", async () => {
    const dir = scratch();
    const file = join(dir, "reports/ci/charter.xml");
    const run = await runCli(["check", INSECURE, "--format", "junit", "--output", file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const xml = readFileSync(file, "utf8");
    expectWellFormedXml(xml);
    expect(xml.endsWith("</testsuites>\n")).toBe(true);
    expect(readdirSync(join(dir, "reports/ci"))).toEqual(["charter.xml"]);
    // Relative to the working folder, like every path argument.
    const relative = await runCli(
      [
        "check",
        join(repoRoot, INSECURE),
        "-p",
        join(repoRoot, "policies"),
        "--format",
        "json",
        "-o",
        "out/r.json",
      ],
      { cwd: dir },
    );
    expect(relative.code).toBe(1);
    expect(relative.stdout).toBe("");
    expect(JSON.parse(readFileSync(join(dir, "out/r.json"), "utf8")).summary).toEqual(summary);
  });

  it("a run that fails leaves the previous report intact and no temporary file", async () => {
    const dir = scratch();
    const file = join(dir, "report.sarif");
    writeFileSync(file, "previous report\n");
    const run = await runCli([
      "check",
      INSECURE,
      "--format",
      "sarif",
      "--output",
      file,
      "--policies",
      join(dir, "none"),
    ]);
    expect(run.code).toBe(2);
    expect(readFileSync(file, "utf8")).toBe("previous report\n");
    expect(readdirSync(dir)).toEqual(["report.sarif"]);
  });

  it("a path that cannot be written is one clear error, exit 2", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "taken"));
    writeFileSync(join(dir, "taken/keep.txt"), "x");
    const run = await runCli([
      "check",
      INSECURE,
      "--format",
      "json",
      "--output",
      join(dir, "taken"),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/error: cannot write the report to .*taken/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(join(dir, "taken"))).toEqual(["keep.txt"]);
    expect(readdirSync(dir)).toEqual(["taken"]);
  });
});

describe("check --format", () => {
  it("an unknown format is a usage error listing the formats", async () => {
    const run = await runCli(["check", INSECURE, "--format", "xml"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/table, json, sarif, junit, policyreport, openreports, github/);
  });
});
