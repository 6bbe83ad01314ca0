/**
 * The pod controllers and where each keeps its pod template. A policy matching `pod` judges a
 * Pod's own metadata and spec, and each controller's template.
 */

import type { Segment } from "./expr.js";
import type { KindRef, Match } from "./policy.js";

export const POD_KIND: KindRef = { group: "", kind: "Pod" };

/**
 * The Pod subresources through which a running Pod's spec changes, which admission must judge
 * like any update of the Pod. `kubectl debug` adds a container through `pods/ephemeralcontainers`;
 * `pods/resize` changes containers' `resources` and `resizePolicy`. For both the API server
 * copies only those fields into the stored Pod (k8s.io/kubernetes pkg/registry/core/pod/strategy.go,
 * `dropNonEphemeralContainerUpdates`, `dropNonResizeUpdates`) before validating admission, so the
 * request is an UPDATE whose `object` is the whole Pod as it will be: the policy's conditions
 * judge it unchanged.
 *
 * Left out on purpose: `pods/status` keeps the spec (its strategy copies the old spec back) and
 * is written by the kubelet all the time, so judging it would deny status updates of a Pod
 * created before a policy; `pods/binding` and `pods/eviction` carry a Binding or an Eviction, and
 * `pods/exec`, `attach`, `portforward`, `proxy`, `log` no Pod at all.
 */
export const POD_SPEC_SUBRESOURCES = ["ephemeralcontainers", "resize"] as const;

/**
 * Whether a match applies to Pods themselves (a `pod` match, with or without controllers, or
 * kinds listing the core Pod). Every such policy covers POD_SPEC_SUBRESOURCES on every admission
 * target, whatever its conditions read: a rule over labels alone gains nothing from the
 * exemption, and a rule reading containers would lose everything.
 */
export function judgesPods(match: Match): boolean {
  return match.subject === "pod" || match.kinds.some(isPodKind);
}

/** The core Pod kind (`v1/Pod`; a CRD named Pod in another group is not one). */
export function isPodKind(ref: KindRef): boolean {
  return ref.group === POD_KIND.group && ref.kind === POD_KIND.kind;
}

export interface PodController extends KindRef {
  readonly apiVersion: string;
  /** Path from the controller to its pod template (`{metadata, spec}`). */
  readonly template: readonly Segment[];
}

export const POD_CONTROLLERS: readonly PodController[] = [
  { group: "apps", kind: "Deployment", apiVersion: "apps/v1", template: ["spec", "template"] },
  { group: "apps", kind: "ReplicaSet", apiVersion: "apps/v1", template: ["spec", "template"] },
  { group: "", kind: "ReplicationController", apiVersion: "v1", template: ["spec", "template"] },
  { group: "apps", kind: "StatefulSet", apiVersion: "apps/v1", template: ["spec", "template"] },
  { group: "apps", kind: "DaemonSet", apiVersion: "apps/v1", template: ["spec", "template"] },
  { group: "batch", kind: "Job", apiVersion: "batch/v1", template: ["spec", "template"] },
  {
    group: "batch",
    kind: "CronJob",
    apiVersion: "batch/v1",
    template: ["spec", "jobTemplate", "spec", "template"],
  },
];

/** The container lists a pod view's `containers` root concatenates, in this order. */
export const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;

/** The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → ""). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}
