/**
 * The written rule for a review that needs a cache not synced yet. A policy whose rules read a
 * kind whose cache has not had its first list is NOT judged: its inventory would be partial,
 * and a verdict on partial data (say, "no default-deny NetworkPolicy") could be wrong either
 * way. Instead, by the policy's enforcement:
 *
 * - `deny`: with `--unsynced deny` (the default: fail closed) the review is denied with
 *   "Charter's cache of v1/Namespace is not synced yet; retry" — the caller retries in a few
 *   seconds, as after any transient admission failure. With `--unsynced allow` the review is
 *   admitted with a warning saying the policy was not judged.
 * - `warn`: a warning with the same words; `audit`: an audit annotation.
 *
 * The kinds a policy reads are its inventory kinds and, for an image rule with a
 * `vulnerabilities` requirement, the VulnerabilityReports: an image judged on a partial set of
 * reports could fail for want of its report, or pass on an older one.
 *
 * Policies whose kinds are all synced are judged as usual, in the same review. A cache that
 * was synced and lost its watch still answers (it serves its last state), so it never lands
 * here. Pure: the caller gives what is synced and which policies apply.
 */
import type { InventoryKind, Policy } from "@charter/ir";
import { kindLabel, policyCachedKinds } from "./cached-kinds.js";

export type UnsyncedMode = "deny" | "allow";

export const UNSYNCED_MODES: readonly UnsyncedMode[] = ["deny", "allow"];

export type UnsyncedDecision =
  | { readonly policy: string; readonly action: "judge" }
  | {
      readonly policy: string;
      /** deny: refuse the review; warn: a warning; audit: an audit annotation. */
      readonly action: "deny" | "warn" | "audit";
      readonly message: string;
      /** The kinds whose caches were not synced, as `v1/Namespace`. */
      readonly unsynced: readonly string[];
    };

/** The message for a policy that needs these unsynced caches. */
export function unsyncedMessage(policy: string, kinds: readonly string[], judged: boolean): string {
  const caches = kinds.length === 1 ? "cache" : "caches";
  const are = kinds.length === 1 ? "is" : "are";
  return judged
    ? `Charter's ${caches} of ${kinds.join(", ")} ${are} not synced yet; retry (policy ${policy} needs ${kinds.length === 1 ? "it" : "them"})`
    : `policy ${policy} was not judged: Charter's ${caches} of ${kinds.join(", ")} ${are} not synced yet`;
}

/**
 * One decision per policy that applies to the review, in order. `isSynced` answers for a
 * kind the policy reads (by group and kind).
 */
export function decideUnsynced(
  policies: readonly Policy[],
  isSynced: (kind: InventoryKind) => boolean,
  mode: UnsyncedMode = "deny",
): UnsyncedDecision[] {
  return policies.map((policy) => {
    const unsynced = policyCachedKinds(policy)
      .filter((kind) => !isSynced(kind))
      .map(kindLabel);
    if (unsynced.length === 0) return { policy: policy.name, action: "judge" };
    if (policy.enforcement === "deny" && mode === "deny") {
      return {
        policy: policy.name,
        action: "deny",
        message: unsyncedMessage(policy.name, unsynced, true),
        unsynced,
      };
    }
    return {
      policy: policy.name,
      action: policy.enforcement === "audit" ? "audit" : "warn",
      message: unsyncedMessage(policy.name, unsynced, false),
      unsynced,
    };
  });
}
