/**
 * What a policy needs to know beyond the resource under review: the kinds it reads through
 * `inventory(…)` and whether a rule reads the resource's Namespace (`namespace` root). Engines
 * build their index from it, Gatekeeper's SyncSet lists it, the capability table names it.
 */
import type { Expr } from "./expr.js";
import { groupOf } from "./pod.js";
import type { Policy, Rule } from "./policy.js";
import { walkExpr } from "./visit.js";

/** A kind read through the inventory, at the version admission targets sync. */
export interface InventoryKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** True for `inventory(…)` over a namespaced kind (it carries a namespace). */
  readonly namespaced: boolean;
}

/** The Namespace kind, read by the `namespace` root. */
export const NAMESPACE_KIND: InventoryKind = {
  apiVersion: "v1",
  kind: "Namespace",
  namespaced: false,
};

function ruleExprs(rule: Rule): Expr[] {
  const holes = rule.message.parts.flatMap((part) => (part.kind === "hole" ? [part.expr] : []));
  return [rule.condition, ...holes];
}

/** True when the rule's condition or message reads the `namespace` root. */
export function readsNamespace(rule: Rule): boolean {
  let found = false;
  for (const expr of ruleExprs(rule)) {
    walkExpr(expr, (node) => {
      if (node.kind === "ref" && node.root.kind === "namespace") found = true;
    });
  }
  return found;
}

/** Policies are immutable, and engines ask for every resource: each policy is walked once. */
const kindsOf = new WeakMap<Policy, readonly InventoryKind[]>();

/** Every kind the policy reads beyond the resource, Namespace first, then in order of use. */
export function inventoryKinds(policy: Policy): InventoryKind[] {
  let kinds = kindsOf.get(policy);
  if (kinds === undefined) {
    kinds = collectInventoryKinds(policy);
    kindsOf.set(policy, kinds);
  }
  return [...kinds];
}

function collectInventoryKinds(policy: Policy): InventoryKind[] {
  const kinds = new Map<string, InventoryKind>();
  const add = (kind: InventoryKind) => {
    const key = `${groupOf(kind.apiVersion)}/${kind.kind}`;
    if (!kinds.has(key)) kinds.set(key, kind);
  };
  if (policy.rules.some(readsNamespace)) add(NAMESPACE_KIND);
  for (const rule of policy.rules) {
    for (const expr of ruleExprs(rule)) {
      walkExpr(expr, (node) => {
        if (node.kind === "inventory") {
          add({
            apiVersion: node.apiVersion,
            kind: node.resource,
            namespaced: node.namespace !== undefined,
          });
        }
      });
    }
  }
  return [...kinds.values()];
}

/** True when any rule needs more than the resource itself. */
export function isCrossResource(policy: Policy): boolean {
  return inventoryKinds(policy).length > 0;
}

/** True when a rule lists other objects (`inventory(…)`), which no CEL target can express. */
export function listsInventory(policy: Policy): boolean {
  return inventoryKinds(policy).some((kind) => kind !== NAMESPACE_KIND);
}
