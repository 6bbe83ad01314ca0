/**
 * What `charter bundle` and `charter build --target rego` say on stderr about the library: one
 * note per image policy (packages/ir README, item 18), which no Rego output carries — the
 * scan-only ones (scanner reports) and those that need the registry.
 */
export const SCAN_ONLY_IMAGE_POLICIES = [
  "block-vulnerable-images",
  "require-recent-vulnerability-scan",
] as const;

/** The library's policies that verify signatures: not built until their keys are set. */
export const SIGNATURE_POLICIES = ["require-signed-images", "require-slsa-provenance"] as const;

const SCAN_ONLY =
  "admission engines cannot read scanner reports; charter check --vuln-reports judges it";
const NEEDS_REGISTRY = "a Rego, Gatekeeper or CEL admission policy cannot read a registry";

/** The stderr lines of a bundle (`where` "in the bundle") or a build (`built for rego`). */
export function scanOnlyNotes(where: "bundle" | "build-rego"): string[] {
  const reasons: [string, string][] = [
    ...SCAN_ONLY_IMAGE_POLICIES.map((name): [string, string] => [name, SCAN_ONLY]),
    ...SIGNATURE_POLICIES.map((name): [string, string] => [name, NEEDS_REGISTRY]),
  ];
  return reasons.map(([name, reason]) =>
    where === "bundle"
      ? `note: ${name} is not in the bundle: ${reason}`
      : `note: ${name} is not built for rego: ${reason}`,
  );
}

/** What `charter check` says of each library policy still waiting for its signing keys. */
export function unconfiguredNotes(): string[] {
  return SIGNATURE_POLICIES.map(
    (name) =>
      `note: ${name} is not judged: not configured: it verifies signatures with the public keys of the parameter publicKeys, which lists none; set it, e.g. params: { "${name}": { publicKeys: [readFileSync("cosign.pub", "utf8")] } } in charter.config.ts`,
  );
}

/** stderr as lines, without the trailing empty one. */
export function stderrLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line !== "");
}

/** stderr without `charter check`'s notes on the library's unconfigured policies. */
export function withoutUnconfiguredNotes(stderr: string): string {
  const notes = new Set(unconfiguredNotes());
  return stderr
    .split("\n")
    .filter((line) => !notes.has(line))
    .join("\n");
}
