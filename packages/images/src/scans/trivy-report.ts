/**
 * Trivy's JSON report (`trivy image --format json`, `SchemaVersion: 2`) read as a scan.
 *
 * - **Findings** are every `Results[].Vulnerabilities[]`, OS and language packages alike, in
 *   report order; a finding that Trivy lists under two targets (the same CVE in two `go.mod`
 *   files) is two findings. No `Results`, or a result with no `Vulnerabilities`, is no findings.
 * - **Severity** is Trivy's `Severity`; a report without it (trivy-operator's plugin input, or
 *   Trivy's server mode) is rated as trivy-operator rates it: `VendorSeverity[SeveritySource]`,
 *   trivy-db's numbers 0–4 (UNKNOWN…CRITICAL), and UNKNOWN when that vendor gave no rating
 *   (trivy-operator's `pkg/vulnerabilityreport/io.go`).
 * - **Fix**: `FixedVersion` absent or empty is no fix. It is the scanner's text, not always a
 *   version (`">= 2.1.0"`, `"6.0.3.1, 5.2.4.3"`); `Status` is not read.
 * - **finishedAt** is `CreatedAt` (Trivy writes when the report was made), verbatim when it is
 *   an RFC 3339 instant; otherwise it is left out with a warning, and the scan counts as too old.
 * - **Identity**: a report is about an image when `ArtifactType` is `container_image`, or, for
 *   a report that does not say (older Trivy, trivy-operator's fixtures), when it carries image
 *   metadata (`ImageID`, `RepoTags`, `RepoDigests`). Its tags come from `ArtifactName`,
 *   `Metadata.Reference` and `Metadata.RepoTags`; its digests from `Metadata.RepoDigests` (and a
 *   name that pins one). `ArtifactName` is skipped when it names an image archive
 *   (`trivy image --input x.tar.gz`: Trivy's own test, a `.tar`, `.gz`, `.gzip` or `.tgz`
 *   ending) or an image ID (`sha256:…`), as Trivy itself skips it when choosing `Reference`.
 */
import { type ImageVulnerability, instantNanos } from "@charter/ir";
import { type ImageReference, parseImageReference } from "../image-reference.js";
import {
  describe,
  type ImageIdentity,
  isObject,
  type JsonObject,
  optionalList,
  optionalString,
  type ReadScanReport,
  Refusal,
  refusing,
  requiredString,
  type ScanIdentity,
} from "./scan-report.js";
import { isSeverity, type Severity, vendorSeverity } from "./severity.js";

export const TRIVY_CONTAINER_IMAGE = "container_image";

/** Trivy's `ArtifactType`s that are not images, as it names what it scanned. */
const NOT_IMAGE: Readonly<Record<string, string>> = {
  filesystem: "a file system",
  repository: "a source repository",
  cyclonedx: "a CycloneDX SBOM",
  spdx: "an SPDX SBOM",
  vm: "a virtual machine image",
  aws_account: "an AWS account",
};

const ARCHIVE = /\.(?:tar|gz|gzip|tgz)$/i;
const IMAGE_ID = /^(?:sha256:)?[0-9a-f]{64}$/;

/** Reads a parsed Trivy JSON report; `source` names it in the scan (its file's path). */
export function readTrivyReport(report: unknown, source: string): ReadScanReport {
  return refusing(`Trivy report ${source}`, () => {
    const warnings: string[] = [];
    const { identity, vulnerabilities } = readTrivyBody(report, "", warnings);
    const createdAt = isObject(report) ? report.CreatedAt : undefined;
    const finishedAt = readInstant(createdAt, "CreatedAt", warnings);
    return {
      report: {
        identity,
        scan: { source, ...(finishedAt !== undefined ? { finishedAt } : {}), vulnerabilities },
      },
      warnings,
    };
  });
}

/**
 * The identity and findings of a Trivy report; `at` prefixes field paths in reasons (the
 * report may sit inside a cosign predicate). Throws `Refusal`.
 */
export function readTrivyBody(
  report: unknown,
  at: string,
  warnings: string[],
): { identity: ScanIdentity; vulnerabilities: readonly ImageVulnerability[] } {
  if (!isObject(report)) {
    const what = at === "" ? "the report" : at.slice(0, -1);
    throw new Refusal(`${what} is ${describe(report)}, not a Trivy report`);
  }
  if (report.SchemaVersion !== 2) {
    throw new Refusal(
      `${at}SchemaVersion is ${describe(report.SchemaVersion)}: only Trivy's JSON schema version 2 is read (trivy image --format json)`,
    );
  }
  const metadata = report.Metadata ?? {};
  if (!isObject(metadata))
    throw new Refusal(`${at}Metadata is ${describe(metadata)}, not an object`);
  const identity = readIdentity(report, metadata, at, warnings);
  if (identity.kind === "image") {
    const os = metadata.OS;
    const family = isObject(os) ? os.Family : undefined;
    if (family === undefined || family === "none") {
      warnings.push(
        `Trivy detected no operating system (${family === undefined ? "no Metadata.OS" : 'Metadata.OS.Family "none"'}): the image's OS packages were not scanned`,
      );
    }
  }
  const vulnerabilities: ImageVulnerability[] = [];
  optionalList(report.Results, `${at}Results`).forEach((result, i) => {
    const path = `${at}Results[${i}]`;
    if (!isObject(result)) throw new Refusal(`${path} is ${describe(result)}, not an object`);
    optionalList(result.Vulnerabilities, `${path}.Vulnerabilities`).forEach((finding, j) => {
      vulnerabilities.push(readFinding(finding, `${path}.Vulnerabilities[${j}]`));
    });
  });
  return { identity, vulnerabilities };
}

function readFinding(finding: unknown, path: string): ImageVulnerability {
  if (!isObject(finding)) throw new Refusal(`${path} is ${describe(finding)}, not an object`);
  const id = requiredString(finding.VulnerabilityID, `${path}.VulnerabilityID`);
  const pkg = requiredString(finding.PkgName, `${path}.PkgName`);
  const installedVersion = optionalString(finding.InstalledVersion, `${path}.InstalledVersion`);
  const fixedVersion = optionalString(finding.FixedVersion, `${path}.FixedVersion`);
  return {
    id,
    severity: readSeverity(finding, path),
    package: pkg,
    ...(installedVersion !== undefined ? { installedVersion } : {}),
    ...(fixedVersion !== undefined ? { fixedVersion } : {}),
  };
}

function readSeverity(finding: JsonObject, path: string): Severity {
  const given = optionalString(finding.Severity, `${path}.Severity`);
  if (given !== undefined) {
    if (!isSeverity(given)) {
      throw new Refusal(
        `${path}.Severity is ${JSON.stringify(given)}, not one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL`,
      );
    }
    return given;
  }
  const source = optionalString(finding.SeveritySource, `${path}.SeveritySource`);
  const vendors = finding.VendorSeverity ?? {};
  if (!isObject(vendors))
    throw new Refusal(`${path}.VendorSeverity is ${describe(vendors)}, not an object`);
  if (source === undefined || !Object.hasOwn(vendors, source)) return "UNKNOWN";
  const rated = vendorSeverity(vendors[source]);
  if (rated === undefined) {
    throw new Refusal(
      `${path}.VendorSeverity.${source} is ${describe(vendors[source])}, not a rating 0–4`,
    );
  }
  return rated;
}

function readIdentity(
  report: JsonObject,
  metadata: JsonObject,
  at: string,
  warnings: string[],
): ScanIdentity {
  const name = optionalString(report.ArtifactName, `${at}ArtifactName`);
  const artifactType = optionalString(report.ArtifactType, `${at}ArtifactType`);
  const named = {
    ...(name !== undefined ? { name } : {}),
    ...(artifactType !== undefined ? { artifactType } : {}),
  };
  const repoTags = optionalList(metadata.RepoTags, `${at}Metadata.RepoTags`);
  const repoDigests = optionalList(metadata.RepoDigests, `${at}Metadata.RepoDigests`);
  const imageId = optionalString(metadata.ImageID, `${at}Metadata.ImageID`);
  if (artifactType !== undefined && artifactType !== TRIVY_CONTAINER_IMAGE) {
    const what = NOT_IMAGE[artifactType] ?? `a ${JSON.stringify(artifactType)} artifact`;
    return {
      kind: "not-image",
      ...named,
      reason: `the report is about ${what}${name !== undefined ? ` (${name})` : ""}, not a container image (ArtifactType ${JSON.stringify(artifactType)})`,
    };
  }
  if (
    artifactType === undefined &&
    imageId === undefined &&
    repoTags.length === 0 &&
    repoDigests.length === 0
  ) {
    return {
      kind: "not-image",
      ...named,
      reason:
        "the report does not say it is about a container image (no ArtifactType, and no Metadata.ImageID, RepoTags or RepoDigests)",
    };
  }
  // `digestOnly`: a RepoDigest says which manifest the image is, never a tag of it.
  const written: { text: unknown; path: string; digestOnly?: boolean }[] = [];
  if (name !== undefined && !ARCHIVE.test(name) && !IMAGE_ID.test(name)) {
    written.push({ text: name, path: `${at}ArtifactName` });
  }
  // Metadata.Reference is Trivy's pick among RepoTags/RepoDigests (a string in the JSON).
  if (typeof metadata.Reference === "string" && metadata.Reference !== "") {
    written.push({ text: metadata.Reference, path: `${at}Metadata.Reference` });
  }
  repoTags.forEach((text, i) => {
    written.push({ text, path: `${at}Metadata.RepoTags[${i}]` });
  });
  repoDigests.forEach((text, i) => {
    written.push({ text, path: `${at}Metadata.RepoDigests[${i}]`, digestOnly: true });
  });
  const tags = new Map<string, ImageReference>();
  const digests = new Map<string, ImageReference>();
  for (const { text, path, digestOnly } of written) {
    if (typeof text !== "string") throw new Refusal(`${path} is ${describe(text)}, not a string`);
    const parsed = parseImageReference(text);
    if (!parsed.ok) {
      warnings.push(`${path} is not an image reference and was not matched on: ${parsed.reason}`);
      continue;
    }
    const { reference } = parsed;
    if (digestOnly && reference.digest === undefined) {
      warnings.push(`${path} pins no digest and was not matched on`);
      continue;
    }
    const repository = `${reference.registry}/${reference.repository}`;
    if (reference.tag !== undefined && !digestOnly) {
      const { digest: _digest, ...tagged } = reference;
      tags.set(`${repository}:${reference.tag}`, tagged);
    }
    if (reference.digest !== undefined) {
      const { tag: _tag, ...pinned } = reference;
      digests.set(`${repository}@${reference.digest}`, pinned);
    }
  }
  const identity: ImageIdentity = {
    kind: "image",
    ...named,
    tags: [...tags.values()],
    digests: [...digests.values()],
    ...(imageId !== undefined ? { imageId } : {}),
  };
  return identity;
}

/** An RFC 3339 timestamp kept verbatim; anything else is left out, with a warning. */
export function readInstant(value: unknown, path: string, warnings: string[]): string | undefined {
  if (value === undefined || value === null) {
    warnings.push(`${path} is missing: the scan has no finishing time and counts as too old`);
    return undefined;
  }
  if (typeof value === "string" && instantNanos(value) !== undefined) return value;
  warnings.push(
    `${path} is ${describe(value)}, not an RFC 3339 instant: the scan has no finishing time and counts as too old`,
  );
  return undefined;
}
