import { describe, expect, it } from "vitest";
import { canonicalReference } from "../image-reference.js";
import type { ReadScanReport, ScanReport } from "./scan-report.js";
import { readTrivyReport } from "./trivy-report.js";

const DIGEST = `sha256:${"1f".repeat(32)}`;

function finding(extra: Record<string, unknown> = {}) {
  return { VulnerabilityID: "CVE-1", PkgName: "openssl", InstalledVersion: "1.0", ...extra };
}

function image(results: unknown, extra: Record<string, unknown> = {}) {
  return {
    SchemaVersion: 2,
    CreatedAt: "2024-05-01T10:00:00Z",
    ArtifactName: "ghcr.io/org/app:v1",
    ArtifactType: "container_image",
    Metadata: { OS: { Family: "alpine", Name: "3.20" } },
    Results: results,
    ...extra,
  };
}

function read(report: unknown): { report: ScanReport; warnings: readonly string[] } {
  const outcome = readTrivyReport(report, "scan.json");
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome;
}

function refusal(outcome: ReadScanReport): string {
  if (outcome.ok) throw new Error("expected a refusal");
  return outcome.reason;
}

describe("Trivy JSON: findings", () => {
  it("takes Severity as Trivy gives it, and FixedVersion as the fix", () => {
    const { report } = read(
      image([
        { Target: "t", Vulnerabilities: [finding({ Severity: "HIGH", FixedVersion: "1.1" })] },
      ]),
    );
    expect(report.scan).toEqual({
      source: "scan.json",
      finishedAt: "2024-05-01T10:00:00Z",
      vulnerabilities: [
        {
          id: "CVE-1",
          severity: "HIGH",
          package: "openssl",
          installedVersion: "1.0",
          fixedVersion: "1.1",
        },
      ],
    });
  });

  it("rates a finding without Severity by VendorSeverity[SeveritySource], as trivy-operator does", () => {
    const vendors = { nvd: 4, redhat: 1 };
    const { report } = read(
      image([
        {
          Target: "t",
          Vulnerabilities: [
            finding({ SeveritySource: "nvd", VendorSeverity: vendors }),
            finding({ SeveritySource: "redhat", VendorSeverity: vendors }),
            finding({ SeveritySource: "ghsa", VendorSeverity: vendors }),
            finding({ VendorSeverity: vendors }),
          ],
        },
      ]),
    );
    expect(report.scan.vulnerabilities.map((v) => v.severity)).toEqual([
      "CRITICAL",
      "LOW",
      "UNKNOWN",
      "UNKNOWN",
    ]);
  });

  it("prefers Severity over the vendor's number when both are there", () => {
    const { report } = read(
      image([
        {
          Target: "t",
          Vulnerabilities: [
            finding({ Severity: "LOW", SeveritySource: "nvd", VendorSeverity: { nvd: 4 } }),
          ],
        },
      ]),
    );
    expect(report.scan.vulnerabilities[0]?.severity).toBe("LOW");
  });

  it("reads an absent or empty FixedVersion as no fix", () => {
    const { report } = read(
      image([
        {
          Target: "t",
          Vulnerabilities: [
            finding({ Severity: "LOW" }),
            finding({ Severity: "LOW", FixedVersion: "" }),
          ],
        },
      ]),
    );
    for (const v of report.scan.vulnerabilities) expect(v).not.toHaveProperty("fixedVersion");
  });

  it("reads every result, OS and language packages, in order", () => {
    const { report } = read(
      image([
        {
          Target: "os",
          Class: "os-pkgs",
          Vulnerabilities: [finding({ Severity: "LOW", VulnerabilityID: "A" })],
        },
        { Target: "empty", Class: "os-pkgs" },
        { Target: "null", Class: "lang-pkgs", Vulnerabilities: null },
        {
          Target: "Java",
          Class: "lang-pkgs",
          Vulnerabilities: [finding({ Severity: "HIGH", VulnerabilityID: "B" })],
        },
      ]),
    );
    expect(report.scan.vulnerabilities.map((v) => v.id)).toEqual(["A", "B"]);
  });

  it("reads no Results as no findings", () => {
    expect(read(image(undefined)).report.scan.vulnerabilities).toEqual([]);
  });

  it.each([
    [
      "a severity that is not one of the five",
      image([{ Target: "t", Vulnerabilities: [finding({ Severity: "high" })] }]),
      'Results[0].Vulnerabilities[0].Severity is "high", not one of',
    ],
    [
      "a vendor rating out of range",
      image([
        {
          Target: "t",
          Vulnerabilities: [finding({ SeveritySource: "nvd", VendorSeverity: { nvd: 7 } })],
        },
      ]),
      "Results[0].Vulnerabilities[0].VendorSeverity.nvd is number 7, not a rating 0–4",
    ],
    [
      "a finding without an id",
      image([
        {
          Target: "t",
          Vulnerabilities: [finding({ Severity: "LOW", VulnerabilityID: undefined })],
        },
      ]),
      "Results[0].Vulnerabilities[0].VulnerabilityID is missing",
    ],
    [
      "a finding without a package",
      image([
        {
          Target: "t",
          Vulnerabilities: [
            finding({ Severity: "LOW" }),
            finding({ Severity: "LOW", PkgName: "" }),
          ],
        },
      ]),
      "Results[0].Vulnerabilities[1].PkgName is missing",
    ],
    [
      "Vulnerabilities that are not a list",
      image([{ Target: "t", Vulnerabilities: { CVE: 1 } }]),
      "Results[0].Vulnerabilities is an object, not a list",
    ],
    ["Results that are not a list", image("none"), 'Results is string "none", not a list'],
    ["schema version 1 (a bare list of results)", [], "the report is a list, not a Trivy report"],
    [
      "another schema version",
      image([], { SchemaVersion: 3 }),
      "SchemaVersion is number 3: only Trivy's JSON schema version 2 is read",
    ],
    [
      "a FixedVersion that is not text",
      image([{ Target: "t", Vulnerabilities: [finding({ Severity: "LOW", FixedVersion: 2 })] }]),
      "Results[0].Vulnerabilities[0].FixedVersion is number 2, not a string",
    ],
  ])("refuses %s, naming the field", (_what, report, reason) => {
    const why = refusal(readTrivyReport(report, "scan.json"));
    expect(why).toContain("Trivy report scan.json: ");
    expect(why).toContain(reason);
  });
});

describe("Trivy JSON: when the scan finished", () => {
  it("keeps CreatedAt verbatim, nanoseconds and offset included", () => {
    const at = "2021-08-25T21:20:30.000000005+09:00";
    expect(read(image([], { CreatedAt: at })).report.scan.finishedAt).toBe(at);
  });

  it.each([
    ["epoch seconds", 1629894030, "CreatedAt is number 1629894030, not an RFC 3339 instant"],
    ["a date", "2021-08-25", 'CreatedAt is string "2021-08-25", not an RFC 3339 instant'],
    ["nothing", undefined, "CreatedAt is missing"],
  ])("leaves out %s, with a warning: the scan counts as too old", (_what, createdAt, warning) => {
    const { report, warnings } = read(image([], { CreatedAt: createdAt }));
    expect(report.scan).not.toHaveProperty("finishedAt");
    expect(warnings.join("\n")).toContain(warning);
  });
});

describe("Trivy JSON: what the report is about", () => {
  function identity(extra: Record<string, unknown>) {
    const { report, warnings } = read(image([], extra));
    const id = report.identity;
    if (id.kind !== "image") return { kind: id.kind, reason: id.reason, warnings };
    return {
      kind: id.kind,
      tags: id.tags.map(canonicalReference),
      digests: id.digests.map(canonicalReference),
      warnings,
    };
  }

  it("reads a Docker Hub name and its RepoDigests canonically", () => {
    expect(
      identity({
        ArtifactName: "alpine:3.10",
        Metadata: {
          OS: { Family: "alpine" },
          RepoTags: ["alpine:3.10"],
          RepoDigests: [`alpine@${DIGEST}`],
        },
      }),
    ).toEqual({
      kind: "image",
      tags: ["docker.io/library/alpine:3.10"],
      digests: [`docker.io/library/alpine@${DIGEST}`],
      warnings: [],
    });
  });

  it("does not read an image archive's path as a reference (trivy image --input)", () => {
    expect(
      identity({
        ArtifactName: "testdata/images/app.tar.gz",
        Metadata: { OS: { Family: "alpine" }, RepoTags: ["ghcr.io/org/app:v1"] },
      }),
    ).toMatchObject({ kind: "image", tags: ["ghcr.io/org/app:v1"], digests: [] });
  });

  it("does not read an image ID as a reference (trivy image sha256:…)", () => {
    expect(
      identity({ ArtifactName: DIGEST, Metadata: { OS: { Family: "alpine" }, ImageID: DIGEST } }),
    ).toMatchObject({ kind: "image", tags: [], digests: [] });
  });

  it("reads a name that pins a digest as both its tag and its digest", () => {
    expect(
      identity({
        ArtifactName: `ghcr.io/org/app:v1@${DIGEST}`,
        Metadata: { OS: { Family: "alpine" } },
      }),
    ).toMatchObject({ tags: ["ghcr.io/org/app:v1"], digests: [`ghcr.io/org/app@${DIGEST}`] });
  });

  it("warns about, and does not match on, a RepoDigest without a digest or a tag that does not parse", () => {
    const { warnings, digests, tags } = identity({
      ArtifactName: "ghcr.io/org/app:v1",
      Metadata: {
        OS: { Family: "alpine" },
        RepoTags: ["<none>:<none>"],
        RepoDigests: ["ghcr.io/org/app"],
      },
    }) as { warnings: readonly string[]; digests: string[]; tags: string[] };
    expect(tags).toEqual(["ghcr.io/org/app:v1"]);
    expect(digests).toEqual([]);
    expect(warnings).toEqual([
      expect.stringContaining("Metadata.RepoTags[0] is not an image reference"),
      "Metadata.RepoDigests[0] pins no digest and was not matched on",
    ]);
  });

  it.each([
    ["filesystem", "a file system"],
    ["repository", "a source repository"],
    ["cyclonedx", "a CycloneDX SBOM"],
    ["something-new", 'a "something-new" artifact'],
  ])("says a %s report is not about an image", (artifactType, what) => {
    expect(identity({ ArtifactType: artifactType, ArtifactName: "." })).toEqual({
      kind: "not-image",
      reason: `the report is about ${what} (.), not a container image (ArtifactType ${JSON.stringify(artifactType)})`,
      warnings: [],
    });
  });

  it("takes a report that does not say its type as an image's when it has image metadata", () => {
    expect(
      identity({
        ArtifactType: undefined,
        ArtifactName: undefined,
        Metadata: { OS: { Family: "alpine" }, RepoTags: ["alpine:3"] },
      }),
    ).toMatchObject({ kind: "image", tags: ["docker.io/library/alpine:3"] });
    expect(identity({ ArtifactType: undefined, Metadata: {} })).toMatchObject({
      kind: "not-image",
    });
  });

  it("warns when Trivy detected no operating system", () => {
    expect(identity({ Metadata: { OS: { Family: "none", Name: "" } } }).warnings).toEqual([
      'Trivy detected no operating system (Metadata.OS.Family "none"): the image\'s OS packages were not scanned',
    ]);
    expect(identity({ Metadata: {} }).warnings).toEqual([
      "Trivy detected no operating system (no Metadata.OS): the image's OS packages were not scanned",
    ]);
  });
});
