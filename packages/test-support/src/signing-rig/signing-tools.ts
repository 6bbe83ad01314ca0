/**
 * The tools of the signing rig, as scripts/install-signing-rig.sh installs them (part of
 * scripts/install-engines.sh): cosign v3.1.3, crane and the stock in-memory `registry` of
 * go-containerregistry v0.22.1, and tools/referrers-registry (the same registry with the OCI
 * referrers API on).
 *
 * Where each is: `$CHARTER_COSIGN`, `$CHARTER_CRANE`, `$CHARTER_REGISTRY`,
 * `$CHARTER_REFERRERS_REGISTRY` (an explicit choice that does not exist is not replaced by another
 * binary), else `.tools/bin/<name>` of this checkout. Never PATH: a cosign that happens to be on
 * the machine is another release, and its verdicts would prove nothing about the pinned one.
 * Missing, the tests say so loudly and skip; under CI=true a missing tool fails.
 */
import { type FindPinnedToolOptions, findPinnedTool, missingForTests } from "../pinned-tool.js";

export const SIGNING_TOOLS = ["cosign", "crane", "registry", "referrers-registry"] as const;

export type SigningTool = (typeof SIGNING_TOOLS)[number];

/** The path of each tool. */
export type SigningTools = Readonly<Record<SigningTool, string>>;

/** The environment variable that names each tool explicitly. */
export const SIGNING_TOOL_ENV: Readonly<Record<SigningTool, string>> = {
  cosign: "CHARTER_COSIGN",
  crane: "CHARTER_CRANE",
  registry: "CHARTER_REGISTRY",
  "referrers-registry": "CHARTER_REFERRERS_REGISTRY",
};

/** What scripts/install-signing-rig.sh pins (the tests check that cosign reports it). */
export const PINNED_COSIGN = "v3.1.3";
export const PINNED_GO_CONTAINERREGISTRY = "v0.22.1";

export type FindSigningToolsOptions = FindPinnedToolOptions;

/** The path of one tool, or undefined when there is none (PATH is never searched). */
export function findSigningTool(
  name: SigningTool,
  options: FindSigningToolsOptions = {},
): string | undefined {
  return findPinnedTool(name, SIGNING_TOOL_ENV[name], options);
}

/**
 * For tests that need the rig: the four tools, or undefined after a loud warning naming what is
 * skipped. Under CI=true a missing tool is an error, so a CI run never passes by skipping.
 */
export function signingToolsForTests(
  what: string,
  options: FindSigningToolsOptions = {},
): SigningTools | undefined {
  const found: Partial<Record<SigningTool, string>> = {};
  const missing: string[] = [];
  for (const name of SIGNING_TOOLS) {
    const path = findSigningTool(name, options);
    if (path === undefined)
      missing.push(`${name} ($${SIGNING_TOOL_ENV[name]}, .tools/bin/${name})`);
    else found[name] = path;
  }
  if (missing.length === 0) return found as SigningTools;
  return missingForTests(
    `the signing rig's tools are not installed — missing ${missing.join(", ")}: run scripts/install-signing-rig.sh (part of scripts/install-engines.sh)`,
    what,
    options.env,
  );
}
