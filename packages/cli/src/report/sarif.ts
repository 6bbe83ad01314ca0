/**
 * SARIF 2.1.0 for `charter check --format sarif`: one reporting rule per (policy, rule), one
 * result per failing row, located at the document's file and line — what code-scanning tools
 * (GitHub's upload-sarif among them) show inline on a pull request.
 */
import type { Enforcement, Policy, Severity } from "@charter/ir";
import type { LineWriter, ReportMeta, ReportSink } from "./report-sink.js";
import { checkOf, isFailing, isObjectError, type ReportRow } from "./rows.js";

const LEVEL: Record<Enforcement, "error" | "warning" | "note"> = {
  deny: "error",
  warn: "warning",
  audit: "note",
};

/** GitHub's `security-severity`: a CVSS-like score it maps onto critical/high/medium/low. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
  info: "0.0",
};

function sarifRules(policies: readonly Policy[]) {
  return policies.flatMap((policy) => [
    ...policy.rules.map((rule) => ({
      id: `${policy.name}/${rule.name}`,
      name: `${policy.name}/${rule.name}`,
      shortDescription: { text: policy.title },
      fullDescription: { text: policy.description || policy.title },
      help: { text: rule.remediation ?? rule.message.template },
      defaultConfiguration: { level: LEVEL[policy.enforcement] },
      properties: {
        tags: ["security", "kubernetes", ...policy.controls],
        "security-severity": SECURITY_SEVERITY[policy.severity],
        precision: "very-high",
      },
    })),
    // Image requirements (packages/ir README, item 18) are rules of their own in reports.
    ...(policy.images?.requirements ?? []).map((requirement) => ({
      id: `${policy.name}/${requirement.name}`,
      name: `${policy.name}/${requirement.name}`,
      shortDescription: { text: policy.title },
      fullDescription: { text: policy.description || policy.title },
      help: { text: `image requirement ${requirement.name} (${requirement.kind})` },
      defaultConfiguration: { level: LEVEL[policy.enforcement] },
      properties: {
        tags: ["security", "kubernetes", ...policy.controls],
        "security-severity": SECURITY_SEVERITY[policy.severity],
        precision: "very-high",
      },
    })),
  ]);
}

/**
 * A manifest's file and line; an object of a live cluster has no file, so it is named as a
 * logical location: `cluster/<context>/<namespace>/<Kind>/<name>`.
 */
function locationsOf(row: ReportRow): object[] {
  const { source } = row;
  if (source === undefined) return [];
  if ("file" in source) {
    return [
      {
        physicalLocation: {
          artifactLocation: { uri: source.file },
          region: { startLine: source.line },
        },
      },
    ];
  }
  const { kind, namespace, name } = row.resource;
  return [
    {
      logicalLocations: [
        {
          name,
          fullyQualifiedName: ["cluster", source.cluster, namespace ?? "", kind, name].join("/"),
          kind: "resource",
        },
      ],
    },
  ];
}

function sarifResult(row: ReportRow, ruleIndex: ReadonlyMap<string, number>): object {
  const { kind, namespace, name } = row.resource;
  const { policy, rule } = checkOf(row);
  const id = `${policy}/${rule}`;
  return {
    // An object error's ruleId (charter:input/api-version) has no reporting rule: no policy.
    ruleId: id,
    ...(ruleIndex.has(id) ? { ruleIndex: ruleIndex.get(id) } : {}),
    level: isObjectError(row) || row.result === "error" ? "error" : LEVEL[row.enforcement],
    message: { text: `${kind} ${namespace ? `${namespace}/` : ""}${name}: ${row.message}` },
    locations: locationsOf(row),
    partialFingerprints: { "charter/v1": `${id}|${kind}|${namespace ?? ""}|${name}` },
  };
}

/** The log around its results: `results` stands in for the array the sink streams. */
function envelope(rules: readonly object[], version: string, results: unknown): object {
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "charter",
            version,
            informationUri: "https://github.com/charter-dev/charter",
            rules,
          },
        },
        results,
      },
    ],
  };
}

const RESULTS_HOLE = "\u0000results\u0000";

/** The log's text before and after its results (indented as JSON.stringify(…, 2) would). */
export function sarifSink({ policies, version }: ReportMeta, out: LineWriter): ReportSink {
  const rules = sarifRules(policies);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const text = JSON.stringify(envelope(rules, version, RESULTS_HOLE), null, 2);
  const hole = `${JSON.stringify(RESULTS_HOLE)}`;
  const at = text.indexOf(hole);
  const [before, after] = [text.slice(0, at), text.slice(at + hole.length)];
  out.line(`${before}[`);
  let pending: string | undefined;
  return {
    add(row) {
      if (!isFailing(row)) return;
      if (pending !== undefined) out.line(`${pending},`);
      pending = `        ${JSON.stringify(sarifResult(row, ruleIndex))}`;
    },
    finish() {
      if (pending !== undefined) out.line(pending);
      out.line(`      ]${after}`);
    },
  };
}

/** The whole log, as an object (for tests). */
export function toSarif(
  rows: readonly ReportRow[],
  policies: readonly Policy[],
  version: string,
): object {
  const rules = sarifRules(policies);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  return envelope(
    rules,
    version,
    rows.filter(isFailing).map((row) => sarifResult(row, ruleIndex)),
  );
}
