import { describe, expect, it } from "vitest";
import { readCosignVulnPredicate } from "./cosign-vuln.js";

function predicate(result: unknown, scanFinishedOn: unknown = "2024-05-01T10:10:00Z") {
  return {
    invocation: { parameters: null, uri: "", event_id: "", "builder.id": "" },
    scanner: { uri: "pkg:github/aquasecurity/trivy@v0.50.0", version: "0.50.0", result },
    metadata: { scanStartedOn: "2024-05-01T10:00:00Z", scanFinishedOn },
  };
}

const trivy = {
  SchemaVersion: 2,
  CreatedAt: "2020-01-01T00:00:00Z",
  ArtifactName: "ghcr.io/org/app:v1",
  ArtifactType: "container_image",
  Metadata: { OS: { Family: "alpine", Name: "3.20" } },
  Results: [
    {
      Target: "t",
      Vulnerabilities: [
        { VulnerabilityID: "CVE-1", PkgName: "x", Severity: "CRITICAL", FixedVersion: "2" },
      ],
    },
  ],
};

describe("cosign vuln predicate", () => {
  it("reads scanner.result as a Trivy report, finished at metadata.scanFinishedOn", () => {
    const outcome = readCosignVulnPredicate(predicate(trivy), "ghcr.io/org/app@sha256:…");
    if (!outcome.ok) throw new Error(outcome.reason);
    expect(outcome.report.scan).toEqual({
      source: "ghcr.io/org/app@sha256:…",
      finishedAt: "2024-05-01T10:10:00Z",
      vulnerabilities: [{ id: "CVE-1", severity: "CRITICAL", package: "x", fixedVersion: "2" }],
    });
    expect(outcome.report.identity.kind).toBe("image");
  });

  it("leaves out an unreadable scanFinishedOn (not the report's CreatedAt), with a warning", () => {
    const outcome = readCosignVulnPredicate(predicate(trivy, ""), "att");
    if (!outcome.ok) throw new Error(outcome.reason);
    expect(outcome.report.scan).not.toHaveProperty("finishedAt");
    expect(outcome.warnings).toContain(
      'metadata.scanFinishedOn is string "", not an RFC 3339 instant: the scan has no finishing time and counts as too old',
    );
  });

  it.each([
    [
      "no result",
      predicate(null),
      "vulnerability attestation att: scanner.result is missing: the attestation holds no scan report, and no report is not a clean report",
    ],
    [
      "a result that is not Trivy's",
      predicate({ matches: [] }),
      "scanner.result.SchemaVersion is missing: only Trivy's JSON schema version 2 is read",
    ],
    [
      "a result that is no object",
      predicate("clean"),
      'scanner.result is string "clean", not a Trivy report',
    ],
    [
      "a malformed finding, with its path under the predicate",
      predicate({ ...trivy, Results: [{ Target: "t", Vulnerabilities: [{ PkgName: "x" }] }] }),
      "scanner.result.Results[0].Vulnerabilities[0].VulnerabilityID is missing",
    ],
    ["no scanner", { metadata: {} }, "scanner is missing, not an object"],
  ])("refuses %s", (_what, value, reason) => {
    const outcome = readCosignVulnPredicate(value, "att");
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.reason).toContain(reason);
  });
});
