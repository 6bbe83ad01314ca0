/**
 * The `request` root (README item 17): what admission knows beyond the object. Every consumer
 * that must refuse a path under it, or know whether a policy reads it, asks here.
 */
import type { Expr } from "./expr.js";
import type { Policy } from "./policy.js";
import { walkExpr } from "./visit.js";

/** The names a path under `request` may start with. */
export const REQUEST_FIELDS = ["operation", "userInfo", "oldObject"] as const;

export type RequestField = (typeof REQUEST_FIELDS)[number];

/** The fields of an admission request's UserInfo (authentication.k8s.io/v1). */
export const USER_INFO_FIELDS = ["username", "uid", "groups", "extra"] as const;

/** Whether `name` may follow `request.` */
export function isRequestField(name: unknown): name is RequestField {
  return REQUEST_FIELDS.some((field) => field === name);
}

function exprsOf(policy: Policy): Expr[] {
  return policy.rules.flatMap((rule) => [
    rule.condition,
    ...rule.message.parts.flatMap((part) => (part.kind === "hole" ? [part.expr] : [])),
  ]);
}

/** True when a rule's condition or message reads the `request` root. */
export function readsRequest(policy: Policy): boolean {
  let found = false;
  for (const expr of exprsOf(policy)) {
    walkExpr(expr, (node) => {
      if (node.kind === "ref" && node.root.kind === "request") found = true;
    });
  }
  return found;
}
