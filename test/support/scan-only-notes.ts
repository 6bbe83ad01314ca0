/**
 * What `charter bundle` and `charter build --target rego` say on stderr about the library: one
 * note per scan-only image rule (packages/ir README, item 18), which no Rego output carries.
 */
export const SCAN_ONLY_IMAGE_POLICIES = [
  "block-vulnerable-images",
  "require-recent-vulnerability-scan",
] as const;

const REASON =
  "admission engines cannot read scanner reports; charter check --vuln-reports judges it";

/** The stderr lines of a bundle (`where` "in the bundle") or a build (`built for rego`). */
export function scanOnlyNotes(where: "bundle" | "build-rego"): string[] {
  return SCAN_ONLY_IMAGE_POLICIES.map((name) =>
    where === "bundle"
      ? `note: ${name} is not in the bundle: ${REASON}`
      : `note: ${name} is not built for rego: ${REASON}`,
  );
}

/** stderr as lines, without the trailing empty one. */
export function stderrLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line !== "");
}
