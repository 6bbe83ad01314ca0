/**
 * Scan-only policies: those that leave out every admission target (`excludeTargets` names each
 * of ADMISSION_TARGETS), such as one judging an EncryptionConfiguration, a file no admission
 * request ever carries. `charter check` still judges them; nothing at admission does — not the
 * emitted VAP, Kyverno and Gatekeeper policies, and not Charter's own webhook, which is an
 * admission engine of the IR and so follows what the policy says about admission as a whole.
 */
import { ADMISSION_TARGETS, type Policy } from "./policy.js";

export function isScanOnly(policy: Policy): boolean {
  return ADMISSION_TARGETS.every((target) => policy.excludeTargets?.[target] !== undefined);
}

/** Why a scan-only policy is not at admission: its reasons, each once. */
export function scanOnlyReasons(policy: Policy): string[] {
  return [...new Set(ADMISSION_TARGETS.map((target) => policy.excludeTargets?.[target] ?? ""))];
}
