/**
 * The admission request in CEL (packages/ir README, item 17): what a target binds as the
 * request and the old object, and the object a policy judges — on a DELETE the old object (the
 * one being deleted), as `request.operation == "DELETE" ? oldObject : object`.
 */
import { CharterError, operationsOf, type Policy } from "@charter/ir";
import type { CelAdmission, CelOptions } from "./types.js";

export type { CelAdmission };

/** What VAP and Kyverno bind: `request` (typed AdmissionRequest) and `oldObject`. */
export const KUBERNETES_ADMISSION: CelAdmission = { request: "request", oldObject: "oldObject" };

export function admissionOf(options: CelOptions): CelAdmission {
  return options.admission ?? KUBERNETES_ADMISSION;
}

/** The CEL of the object a policy judges: `object`, or on a DELETE the old object. */
export function celSubject(policy: Policy, options: CelOptions): string {
  if (!operationsOf(policy.match).includes("DELETE")) return options.object;
  const admission = admissionOf(options);
  if ("unsupported" in admission) {
    throw new CharterError(
      `policy "${policy.name}": it judges DELETE requests, and ${admission.unsupported}; target "${options.target ?? "cel"}" cannot express it`,
      policy.source ?? {},
    );
  }
  return `(${admission.request}.operation == "DELETE" ? ${admission.oldObject} : ${options.object})`;
}
