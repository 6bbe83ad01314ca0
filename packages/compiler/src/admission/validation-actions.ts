/**
 * A policy's enforcement as admission validation actions (VAP bindings and Kyverno's
 * ValidatingPolicy use the same set): deny rejects the request, warn admits it with a warning
 * to the client, audit admits it and records the failure in the audit log.
 */
import type { Enforcement } from "@charter/ir";

export type ValidationAction = "Deny" | "Warn" | "Audit";

const ACTIONS = {
  deny: ["Deny"],
  warn: ["Warn"],
  audit: ["Audit"],
} as const satisfies Record<Enforcement, readonly ValidationAction[]>;

export function validationActionsOf(enforcement: Enforcement): readonly ValidationAction[] {
  return ACTIONS[enforcement];
}
