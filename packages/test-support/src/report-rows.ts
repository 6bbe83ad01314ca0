/** Rows and report inputs for the report formats' unit tests. */

import { type ReportInput, type Row, summarize } from "@charter/cli";
import type { Policy } from "@charter/ir";

/** Everything that has broken a report format somewhere: markup, escapes, controls, astral. */
export const HOSTILE =
  "a < b && c > d ]]> \"q\" 's' 100% done, key: value\r\nnext\tline \u0001\u0008\u001f \uFFFE \uD800 😀 𝔘";

export function row(overrides: Partial<Row> = {}): Row {
  return {
    policy: "disallow-privileged-containers",
    rule: "privileged",
    result: "fail",
    message: "container app is privileged",
    severity: "high",
    enforcement: "deny",
    resource: { apiVersion: "v1", kind: "Pod", namespace: "team-a", name: "app" },
    source: { file: "k8s/app.yaml", line: 3 },
    ...overrides,
  };
}

export const POLICY: Policy = {
  name: "disallow-privileged-containers",
  title: "Privileged containers are disallowed",
  description: "",
  severity: "high",
  category: "Pod Security Standards (Baseline)",
  controls: ["pss:baseline:privileged", "cis:5.2.1"],
  enforcement: "deny",
  match: { subject: "pod", controllers: true },
  parameters: { schema: {}, values: {} },
  rules: [
    {
      name: "privileged",
      fail: { kind: "literal", value: false },
      message: { template: "", parts: [] },
    },
  ],
  cases: [],
} as unknown as Policy;

export function input(rows: readonly Row[], overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    rows,
    summary: summarize(new Set(rows.map((r) => JSON.stringify(r.resource))).size, rows),
    policies: [POLICY],
    version: "0.0.0-test",
    now: new Date("2026-03-04T05:06:07.890Z"),
    failOn: new Set(["deny"]),
    quiet: false,
    verbose: false,
    paint: (_style, text) => text,
    ...overrides,
  };
}
