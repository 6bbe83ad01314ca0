/**
 * Whether Kyverno scans stored objects in the background with a policy. A background scan is
 * offline judging, which the IR defines as a CREATE with no user and no old object (README item
 * 17): a policy that does not judge CREATE judges nothing there, and what Kyverno binds as the
 * request of a background scan is not proven to be that CREATE, so a policy reading the
 * `request` root or judging other operations only runs at admission. Every other policy scans.
 */
import { operationsOf, type Policy, readsRequest } from "@charter/ir";

export function scansInBackground(policy: Policy): boolean {
  return operationsOf(policy.match).includes("CREATE") && !readsRequest(policy);
}
