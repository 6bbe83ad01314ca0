import { HOSTILE, input, row } from "@charter/test-support/report-rows";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  OPEN_REPORTS,
  REPORT_BUDGET_BYTES,
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

  it("splits a scope too large for the API server into reports of whole resources", () => {
    // 60 Deployments of 50 rows each, in one namespace: about 1.6 MB of results, which the
    // API server refused as one report (test/cluster/crd-objects.test.ts).
    const many = Array.from({ length: 60 }, (_, d) =>
      Array.from({ length: 50 }, (_, r) =>
        row({
          rule: `rule-${r}`,
          result: r % 3 === 0 ? "pass" : r % 3 === 1 ? "fail" : "skip",
          message: `container app of Deployment ${d} breaks rule ${r} < & > ${"x".repeat(300)}`,
          resource: { apiVersion: "apps/v1", kind: "Deployment", namespace: "big", name: `d-${d}` },
        }),
      ),
    ).flat();
    const reports = toPolicyReports(input([...many, row()]), WG_POLICY_REPORT) as {
      kind: string;
      metadata: { name: string; namespace?: string };
      summary: Record<string, number>;
      results: { result: string; resources: { name: string }[] }[];
    }[];
    const big = reports.filter((r) => r.metadata.namespace === "big");
    expect(big.length).toBeGreaterThan(5);
    expect(big.map((r) => r.metadata.name)).toEqual(
      big.map((_, i) => (i === 0 ? "charter" : `charter-${i + 1}`)),
    );
    for (const report of big) {
      // What client-side `kubectl apply` copies into its annotation, Go-escaped: under 256 KiB.
      const weight = Buffer.byteLength(JSON.stringify(report).replace(/[<>&]/g, "\\u003c"));
      expect(weight).toBeLessThan(REPORT_BUDGET_BYTES + 1024);
      expect(Object.values(report.summary).reduce((a, b) => a + b, 0)).toBe(report.results.length);
    }
    // Every row once, in order; no resource's rows are split between two reports.
    const results = big.flatMap((r) => r.results);
    expect(results.map((r) => r.resources[0]?.name)).toEqual(many.map((r) => r.resource.name));
    const owners = new Map<string, Set<string>>();
    for (const report of big) {
      for (const r of report.results) {
        const name = r.resources[0]?.name ?? "";
        owners.set(name, (owners.get(name) ?? new Set()).add(report.metadata.name));
      }
    }
    expect([...owners.values()].every((names) => names.size === 1)).toBe(true);
    // The other scopes are untouched: team-a's one report keeps its name.
    expect(
      reports.filter((r) => r.metadata.namespace === "team-a").map((r) => r.metadata.name),
    ).toEqual(["charter"]);
  });

  it("splits even one resource's rows when they alone are over the budget", () => {
    const rows = Array.from({ length: 40 }, (_, r) => row({ rule: `rule-${r}` }));
    const reports = toPolicyReports(input(rows), OPEN_REPORTS, 2_000) as { results: unknown[] }[];
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.flatMap((r) => r.results)).toHaveLength(40);
    for (const report of reports) expect(report.results.length).toBeGreaterThan(0);
  });
});
