/** What the catalog and the matrix know about one policy: the policy and where it compiles. */
import { relative, sep } from "node:path";
import { isScanOnly as isScanOnlyPolicy, type Policy } from "@charter/ir";
import { byCodePoint } from "./markdown.js";
import { type TargetSupport, targetSupport } from "./target-support.js";

export interface PolicyEntry {
  readonly policy: Policy;
  readonly targets: readonly TargetSupport[];
  /** The policy's file, relative to the docs folder (a link that works in the repository). */
  readonly sourceLink?: string;
}

/** Entries sorted by policy name, so the docs do not depend on the order policies load in. */
export function policyEntries(policies: readonly Policy[], outDir: string): PolicyEntry[] {
  return [...policies]
    .sort((a, b) => byCodePoint(a.name, b.name))
    .map((policy) => ({
      policy,
      targets: targetSupport(policy),
      ...(policy.source
        ? { sourceLink: relative(outDir, policy.source.file).split(sep).join("/") }
        : {}),
    }));
}

export function supportedTargets(entry: PolicyEntry): string[] {
  return entry.targets.filter((t) => t.outcome.ok).map((t) => t.target);
}

/**
 * Scan only: the policy itself leaves out every admission target (it judges files such as an
 * EncryptionConfiguration, which no admission request ever carries).
 */
export function isScanOnly(entry: PolicyEntry): boolean {
  return isScanOnlyPolicy(entry.policy);
}
