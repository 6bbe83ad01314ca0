import { HOSTILE, input, row } from "@charter/test-support/report-rows";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  OPEN_REPORTS,
  toPolicyReports,
  toPolicyReportYaml,
  WG_POLICY_REPORT,
} from "./policy-report.js";

const rows = [
  row(),
  row({
    result: "pass",
    resource: { apiVersion: "v1", kind: "Pod", namespace: "team-b", name: "b" },
  }),
  // A namespaced kind without a namespace lands in `default`, as kubectl apply puts it.
  row({ resource: { apiVersion: "apps/v1", kind: "Deployment", name: "nowhere" } }),
  row({ result: "skip", resource: { apiVersion: "v1", kind: "Namespace", name: "team-a" } }),
  row({
    result: "skip",
    message: "excused",
    exception: {
      name: "legacy",
      reason: "migrating, slowly",
      owner: "team-a",
      expires: "2026-12-31",
    },
  }),
];

describe("policy reports", () => {
  it("one report per namespace, sorted, then one cluster report", () => {
    const reports = toPolicyReports(input(rows), WG_POLICY_REPORT) as {
      kind: string;
      metadata: { name: string; namespace?: string };
      summary: object;
      results: unknown[];
    }[];
    expect(reports.map((r) => `${r.kind} ${r.metadata.namespace ?? ""}`)).toEqual([
      "PolicyReport default",
      "PolicyReport team-a",
      "PolicyReport team-b",
      "ClusterPolicyReport ",
    ]);
    expect(reports[1]?.summary).toEqual({ pass: 0, fail: 1, warn: 0, error: 0, skip: 1 });
    expect(reports[1]?.results[0]).toEqual({
      policy: "disallow-privileged-containers",
      rule: "privileged",
      result: "fail",
      severity: "high",
      message: "container app is privileged",
      category: "Pod Security Standards (Baseline)",
      scored: true,
      source: "charter",
      timestamp: { seconds: 1772600767, nanos: 0 },
      resources: [{ apiVersion: "v1", kind: "Pod", namespace: "team-a", name: "app" }],
      properties: {
        controls: "pss:baseline:privileged,cis:5.2.1",
        enforcement: "deny",
        file: "k8s/app.yaml",
        line: "3",
      },
    });
    expect(reports[1]?.results[1]).toMatchObject({
      result: "skip",
      properties: {
        exception: "legacy",
        exceptionReason: "migrating, slowly",
        exceptionOwner: "team-a",
        exceptionExpires: "2026-12-31",
      },
    });
  });

  it("openreports: Report and ClusterReport with a top-level source", () => {
    const reports = toPolicyReports(input(rows), OPEN_REPORTS) as {
      kind: string;
      source: string;
      apiVersion: string;
    }[];
    expect(new Set(reports.map((r) => `${r.apiVersion} ${r.kind} ${r.source}`))).toEqual(
      new Set([
        "openreports.io/v1alpha1 Report charter",
        "openreports.io/v1alpha1 ClusterReport charter",
      ]),
    );
  });

  it("multi-document YAML that reads back to the same documents, hostile text included", () => {
    const hostile = input([row({ message: HOSTILE }), row({ message: "yes" })]);
    const yaml = toPolicyReportYaml(hostile, WG_POLICY_REPORT);
    const documents = parseAllDocuments(yaml);
    expect(documents.every((d) => d.errors.length === 0)).toBe(true);
    // A lone surrogate has no UTF-8 form: it is written (and read by Kubernetes) as U+FFFD.
    const readable = input([
      row({ message: HOSTILE.replace(/\p{Cs}/gu, "\uFFFD") }),
      row({ message: "yes" }),
    ]);
    expect(documents.map((d) => d.toJS())).toEqual(toPolicyReports(readable, WG_POLICY_REPORT));
    // YAML 1.1 readers (Kubernetes) would take a bare yes for a boolean.
    expect(yaml).toContain('message: "yes"');
  });
});
