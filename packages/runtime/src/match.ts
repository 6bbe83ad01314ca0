/**
 * Whether a policy applies to an object, and the pod view its `pod` root reads.
 *
 * - Kinds match on API group and kind; the version is ignored (`apps/v1` and `apps/v1beta2`
 *   Deployments are both Deployments).
 * - A `pod` policy matches Pods and, unless it opted out, the pod controllers of
 *   packages/ir/src/pod.ts. A controller whose template path holds no object (a Deployment
 *   without `spec.template`) cannot be judged: the answer is "skip", not "pass".
 * - The namespace filter reads the object's own `metadata.namespace` (a controller's, not its
 *   template's). An object without one — cluster-scoped, or namespaced but written without
 *   a namespace — always passes the filter: we cannot know where it will land, and silently
 *   exempting it would hide findings.
 * - The label selector reads the object's own `metadata.labels` (a controller's, not its
 *   template's), with the semantics of LabelSelector in packages/ir/src/policy.ts.
 * - An object in a system namespace (the policy set's setting, packages/ir/src/
 *   system-namespaces.ts) that the policy matches is "system": every rule is skipped with the
 *   reason, before a controller's missing template is looked at.
 */
import {
  groupOf,
  type Json,
  type JsonObject,
  judgesOperation,
  type LabelRequirement,
  type LabelSelector,
  type NamespaceFilter,
  POD_CONTROLLERS,
  POD_KIND,
  type PodController,
  type Policy,
  type Segment,
  systemNamespaceOf,
} from "@charter/ir";
import type { ResourceIdentity } from "./types.js";
import { isObject } from "./value.js";

/**
 * "yes": judged; "no": the policy does not concern the object (no row); "skip": it does, but a
 * controller has no pod template to judge; "system": it does, but the object is in a system
 * namespace. Both skips give every rule a `skip` row (skipReasonOf).
 */
export type Applies = "yes" | "no" | "skip" | "system";

/** The pod root: a Pod's own metadata and spec, or a controller's pod template. */
export interface PodView {
  readonly metadata?: Json;
  readonly spec?: Json;
}

function kindOf(object: JsonObject): { group: string; kind: string } | undefined {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  return { group: groupOf(apiVersion), kind };
}

function isPod(group: string, kind: string): boolean {
  return group === POD_KIND.group && kind === POD_KIND.kind;
}

function controllerOf(group: string, kind: string): PodController | undefined {
  return POD_CONTROLLERS.find((c) => c.group === group && c.kind === kind);
}

function at(value: Json, path: readonly Segment[]): Json | undefined {
  let current: Json | undefined = value;
  for (const segment of path) {
    if (!isObject(current) || typeof segment !== "string") return undefined;
    current = Object.hasOwn(current, segment) ? current[segment] : undefined;
  }
  return current;
}

function viewOf(object: JsonObject): PodView {
  // Assigned, not spread: this runs for every pod policy on every resource.
  const view: { metadata?: Json; spec?: Json } = {};
  if (object.metadata !== undefined) view.metadata = object.metadata;
  if (object.spec !== undefined) view.spec = object.spec;
  return view;
}

function namespaceAllowed(object: JsonObject, filter: NamespaceFilter | undefined): boolean {
  if (filter === undefined) return true;
  const namespace = isObject(object.metadata) ? object.metadata.namespace : undefined;
  if (typeof namespace !== "string" || namespace === "") return true;
  const { include, exclude } = filter;
  if (include !== undefined && include.length > 0 && !include.includes(namespace)) return false;
  return !exclude?.includes(namespace);
}

/** A label's value, or undefined when the label is absent (null counts as absent). */
function labelOf(labels: JsonObject, key: string): Json | undefined {
  const value = Object.hasOwn(labels, key) ? labels[key] : undefined;
  return value === null ? undefined : value;
}

function requirementHolds(labels: JsonObject, requirement: LabelRequirement): boolean {
  const value = labelOf(labels, requirement.key);
  switch (requirement.operator) {
    case "In":
      return typeof value === "string" && requirement.values.includes(value);
    case "NotIn":
      return !(typeof value === "string" && requirement.values.includes(value));
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
  }
}

/** Whether the selector selects the object by its own labels (a non-object map is empty). */
export function labelsSelected(object: JsonObject, selector: LabelSelector | undefined): boolean {
  if (selector === undefined) return true;
  const found = isObject(object.metadata) ? object.metadata.labels : undefined;
  const labels: JsonObject = isObject(found) ? found : {};
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  return (
    matchLabels.every(([key, expected]) => labelOf(labels, key) === expected) &&
    (selector.matchExpressions ?? []).every((requirement) => requirementHolds(labels, requirement))
  );
}

/**
 * "yes" when the policy judges this object, "no" when it does not concern it (not its kind, its
 * namespaces, its labels, or a request of an `operation` it does not judge), "system" when it
 * concerns it but the object is in one of `systemNamespaces` (none by default), "skip" when it
 * concerns it but there is nothing to judge (a pod controller without a pod template).
 */
export function policyApplies(
  policy: Policy,
  object: Json,
  systemNamespaces: readonly string[] = [],
  operation = "CREATE",
): Applies {
  if (!isObject(object) || !judgesOperation(policy.match, operation)) return "no";
  const kind = kindOf(object);
  if (kind === undefined) return "no";
  const { match } = policy;
  if (match.subject === "kinds") {
    const listed = match.kinds.some((k) => k.group === kind.group && k.kind === kind.kind);
    if (!listed || !namespaceAllowed(object, match.namespaces)) return "no";
    if (!labelsSelected(object, match.labels)) return "no";
    return systemNamespaceOf(object, systemNamespaces) !== undefined ? "system" : "yes";
  }
  const controller = match.controllers ? controllerOf(kind.group, kind.kind) : undefined;
  if (!isPod(kind.group, kind.kind) && controller === undefined) return "no";
  if (!namespaceAllowed(object, match.namespaces)) return "no";
  if (!labelsSelected(object, match.labels)) return "no";
  if (systemNamespaceOf(object, systemNamespaces) !== undefined) return "system";
  if (controller !== undefined && !isObject(at(object, controller.template))) return "skip";
  return "yes";
}

/**
 * The `pod` root of an object: `{metadata, spec}` of a Pod, or the pod template of a pod
 * controller; `undefined` for any other object or a controller without a template object.
 */
export function podView(object: Json): PodView | undefined {
  if (!isObject(object)) return undefined;
  const kind = kindOf(object);
  if (kind === undefined) return undefined;
  if (isPod(kind.group, kind.kind)) return viewOf(object);
  const controller = controllerOf(kind.group, kind.kind);
  if (controller === undefined) return undefined;
  const template = at(object, controller.template);
  return isObject(template) ? viewOf(template) : undefined;
}

/** Where a controller keeps its pod template, for messages ("spec.jobTemplate.spec.template"). */
export function templatePathOf(object: Json): string | undefined {
  if (!isObject(object)) return undefined;
  const kind = kindOf(object);
  const controller = kind && controllerOf(kind.group, kind.kind);
  return controller?.template.join(".");
}

/** Why a pod controller without a pod template is skipped (shared by every engine). */
export function skipReason(object: Json, identity: ResourceIdentity): string {
  const where = templatePathOf(object) ?? "its template path";
  return `${identity.kind} "${identity.name}" has no pod template at ${where}; nothing to judge`;
}

/** Why an object in a system namespace is skipped (shared by every engine). */
export function systemNamespaceReason(
  object: Json,
  identity: ResourceIdentity,
  systemNamespaces: readonly string[],
): string {
  const namespace = systemNamespaceOf(object, systemNamespaces) ?? "";
  const where =
    identity.kind === "Namespace" && identity.namespace === undefined
      ? `is the system namespace ${namespace}`
      : `is in the system namespace ${namespace}`;
  return `${identity.kind} "${identity.name}" ${where}, which no policy judges so that the control plane is never blocked (the systemNamespaces setting); not judged`;
}

/** Why every rule of a policy that applies as `applies` (a skip) is skipped on this object. */
export function skipReasonOf(
  applies: "skip" | "system",
  object: Json,
  identity: ResourceIdentity,
  systemNamespaces: readonly string[],
): string {
  return applies === "system"
    ? systemNamespaceReason(object, identity, systemNamespaces)
    : skipReason(object, identity);
}
