/**
 * What a cross-resource rule is judged with, decided the same way for every engine: which
 * index a resource sees, and when a rule that reads the resource's Namespace is skipped.
 */
import {
  boundNamespaceObject,
  type InventoryKind,
  inventoryKinds,
  type Json,
  type Policy,
  type Rule,
  readsNamespace,
  type TestCase,
} from "@charter/ir";
import type { Resource, ResourceIdentity } from "../types.js";
import { isObject } from "../value.js";
import { InventoryIndex } from "./inventory-index.js";

/** Every kind any of the policies reads beyond the resource (first use wins). */
export function inventoryKindsOf(policies: readonly Policy[]): InventoryKind[] {
  const kinds = new Map<string, InventoryKind>();
  for (const policy of policies) {
    for (const kind of inventoryKinds(policy)) {
      const key = `${kind.apiVersion}/${kind.kind}`;
      if (!kinds.has(key)) kinds.set(key, kind);
    }
  }
  return [...kinds.values()];
}

/**
 * The index each resource of a batch is judged with: the one it carries (a test case and its
 * scanned set), else one index of the whole batch — the batch is the scanned set. Undefined
 * when no policy reads beyond the resource.
 */
export function inventoriesOf(
  policies: readonly Policy[],
  resources: readonly Resource[],
): (InventoryIndex | undefined)[] {
  const kinds = inventoryKindsOf(policies);
  if (kinds.length === 0) return resources.map(() => undefined);
  let batch: InventoryIndex | undefined;
  return resources.map((resource) => {
    if (resource.inventory) return resource.inventory;
    batch ??= InventoryIndex.of(
      kinds,
      resources.map((r) => r.object),
    );
    return batch;
  });
}

/** The namespace a resource lives in: its `metadata.namespace`, when a non-empty string. */
export function namespaceOf(object: Json): string | undefined {
  const metadata = isObject(object) ? object.metadata : undefined;
  const namespace = isObject(metadata) ? metadata.namespace : undefined;
  return typeof namespace === "string" && namespace !== "" ? namespace : undefined;
}

/** The resource's Namespace object, or why a rule that reads it cannot be judged. */
export function namespaceObjectOf(
  object: Json,
  identity: ResourceIdentity,
  index: InventoryIndex | undefined,
): { readonly namespaceObject: Json } | { readonly skip: string } {
  const namespace = namespaceOf(object);
  if (namespace === undefined) {
    return {
      skip: `${identity.kind} "${identity.name}" names no namespace, so its Namespace object is unknown; set metadata.namespace`,
    };
  }
  const namespaceObject = index?.namespace(namespace);
  if (namespaceObject === undefined) {
    return {
      skip: `Namespace "${namespace}" is not in the scanned set; scan its manifest with the workload to judge this rule`,
    };
  }
  return { namespaceObject: boundNamespaceObject(namespaceObject) };
}

const readsNamespaceCache = new WeakMap<Rule, boolean>();

/** `readsNamespace`, remembered per rule: engines ask it for every resource. */
export function ruleReadsNamespace(rule: Rule): boolean {
  const known = readsNamespaceCache.get(rule);
  if (known !== undefined) return known;
  const reads = readsNamespace(rule);
  readsNamespaceCache.set(rule, reads);
  return reads;
}

/**
 * Why a rule of a policy that applies is skipped before any engine judges it, if it is: it
 * reads the resource's Namespace and that Namespace is not known.
 */
export function ruleSkipReason(
  rule: Rule,
  object: Json,
  identity: ResourceIdentity,
  index: InventoryIndex | undefined,
): string | undefined {
  if (!ruleReadsNamespace(rule)) return undefined;
  const found = namespaceObjectOf(object, identity, index);
  return "skip" in found ? found.skip : undefined;
}

/**
 * A policy case as a resource to evaluate: judged with its own scanned set (the resource and
 * the case's inventory), never with the other cases of the batch. `kinds`: what the policies
 * read beyond the resource (`inventoryKindsOf`); none, and the case needs no index.
 */
export function caseResource(testCase: TestCase, kinds: readonly InventoryKind[]): Resource {
  const { operation, oldObject, userInfo } = testCase;
  return {
    object: testCase.resource,
    ...(testCase.source ? { source: testCase.source } : {}),
    // The request the case states (packages/ir README, item 17); none: a CREATE, as offline.
    ...(operation !== undefined || userInfo !== undefined
      ? {
          request: {
            operation: operation ?? "CREATE",
            ...(userInfo !== undefined ? { userInfo: userInfo as Json } : {}),
            ...(oldObject !== undefined ? { oldObject } : {}),
          },
        }
      : {}),
    ...(kinds.length
      ? { inventory: InventoryIndex.of(kinds, [testCase.resource, ...(testCase.inventory ?? [])]) }
      : {}),
    // What the case says of its images (packages/ir README, item 18): an image it does not
    // describe is an error verdict, as an unread registry is. Judged at the real clock.
    images: {
      now: Date.now(),
      facts: (_policy: string, reference: string) => testCase.images?.[reference],
    },
  };
}

/** Every case of every policy, in order, as resources (see caseResource). */
export function caseResources(policies: readonly Policy[]): Resource[] {
  const kinds = inventoryKindsOf(policies);
  return policies.flatMap((policy) => policy.cases.map((c) => caseResource(c, kinds)));
}
