/**
 * SARIF 2.1.0 for `charter check --format sarif`: one reporting rule per (policy, rule), one
 * result per failing row, located at the document's file and line — what code-scanning tools
 * (GitHub's upload-sarif among them) show inline on a pull request.
 */
import type { Enforcement, Policy, Severity } from "@charter/ir";
import type { Row } from "./rows.js";

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

export function toSarif(
  rows: readonly Row[],
  policies: readonly Policy[],
  version: string,
): object {
  const failing = rows.filter((row) => row.result === "fail" || row.result === "error");
  const rules = policies.flatMap((policy) =>
    policy.rules.map((rule) => ({
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
  );
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const results = failing.map((row) => {
    const { kind, namespace, name } = row.resource;
    const id = `${row.policy}/${row.rule}`;
    return {
      ruleId: id,
      ...(ruleIndex.has(id) ? { ruleIndex: ruleIndex.get(id) } : {}),
      level: row.result === "error" ? "error" : LEVEL[row.enforcement],
      message: { text: `${kind} ${namespace ? `${namespace}/` : ""}${name}: ${row.message}` },
      locations: row.source
        ? [
            {
              physicalLocation: {
                artifactLocation: { uri: row.source.file },
                region: { startLine: row.source.line },
              },
            },
          ]
        : [],
      partialFingerprints: { "charter/v1": `${id}|${kind}|${namespace ?? ""}|${name}` },
    };
  });
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
