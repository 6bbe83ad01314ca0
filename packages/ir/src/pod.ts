/**
 * The pod controllers and where each keeps its pod template. A policy matching `pod` judges a
 * Pod's own metadata and spec, and each controller's template.
 */

import type { Segment } from "./expr.js";
import type { KindRef } from "./policy.js";

export const POD_KIND: KindRef = { group: "", kind: "Pod" };

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
