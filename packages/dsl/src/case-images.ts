/**
 * The `images` of a case: what the registry and the scanners say about each image the case's
 * resource runs (packages/ir README, item 18), so a policy with image rules is tested without a
 * registry. Checked here so a typo is an error at the case, not a silently different verdict.
 */
import { CharterError, type ErrorLocation } from "@charter/ir";

const FACT_KEYS = [
  "reference",
  "digest",
  "signatures",
  "attestations",
  "scan",
  "notes",
  "error",
  "unverified",
  "unscanned",
];
const DIGEST = /^sha256:[0-9a-f]{64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(label: string, what: string, at: ErrorLocation): never {
  throw new CharterError(
    `${label} ${what}`,
    at,
    'write { "<image as written>": { reference, digest: "sha256:…", signatures: [{ attestor }], attestations: [{ attestor, predicateType, predicate }], scan?: { source, finishedAt?, vulnerabilities: [{ id, severity, package, fixedVersion? }] } } }',
  );
}

export function checkImageFacts(value: unknown, label: string, at: ErrorLocation): void {
  if (!isRecord(value)) fail(label, "must map each image reference to its facts", at);
  for (const [reference, facts] of Object.entries(value)) {
    const where = `${label}[${JSON.stringify(reference)}]`;
    if (!isRecord(facts)) fail(where, "must be an object", at);
    const unknown = Object.keys(facts).filter((key) => !FACT_KEYS.includes(key));
    if (unknown.length > 0) fail(where, `has unknown keys: ${unknown.join(", ")}`, at);
    if (facts.reference !== reference) fail(where, "must repeat its key as `reference`", at);
    if (
      facts.digest !== undefined &&
      (typeof facts.digest !== "string" || !DIGEST.test(facts.digest))
    ) {
      fail(where, "has a digest that is not sha256:<64 lower-case hex digits>", at);
    }
    const signatures = facts.signatures;
    if (
      !Array.isArray(signatures) ||
      !signatures.every((s) => isRecord(s) && typeof s.attestor === "string")
    ) {
      fail(where, "needs `signatures`: a list of { attestor }", at);
    }
    const attestations = facts.attestations;
    if (
      !Array.isArray(attestations) ||
      !attestations.every(
        (a) =>
          isRecord(a) &&
          typeof a.attestor === "string" &&
          typeof a.predicateType === "string" &&
          "predicate" in a,
      )
    ) {
      fail(where, "needs `attestations`: a list of { attestor, predicateType, predicate }", at);
    }
    const scan = facts.scan;
    if (scan !== undefined) {
      if (
        !isRecord(scan) ||
        typeof scan.source !== "string" ||
        !Array.isArray(scan.vulnerabilities)
      ) {
        fail(where, "has a `scan` that is not { source, finishedAt?, vulnerabilities: [...] }", at);
      }
      for (const finding of scan.vulnerabilities as unknown[]) {
        if (
          !isRecord(finding) ||
          typeof finding.id !== "string" ||
          typeof finding.severity !== "string" ||
          typeof finding.package !== "string"
        ) {
          fail(
            where,
            "has a scan finding that is not { id, severity, package, installedVersion?, fixedVersion? }",
            at,
          );
        }
      }
    }
    if (facts.error !== undefined && typeof facts.error !== "string")
      fail(where, "has an `error` that is not a string", at);
  }
}
