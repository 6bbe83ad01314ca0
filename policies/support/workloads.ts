/**
 * Test resources for the policies' own cases: a pod spec wrapped as a Pod or as the pod
 * template of any controller, so one spec can be shown failing (or passing) in every shape
 * the policy matches. Everything built here is a valid Kubernetes object: selectors match the
 * template labels, and each container has a name and an image.
 *
 * Not a policy: the loader reads `policies/index.ts`, never this folder.
 */
import type { JsonObject } from "@charter/ir";

/** An image from the registry the library's default parameters allow. */
export const APPROVED_IMAGE = "registry.example.com/todo/api:1.4.2";

/** A container named `name` with an approved image and, when given, a securityContext. */
export function container(
  name: string,
  securityContext?: JsonObject | null,
  image = APPROVED_IMAGE,
): JsonObject {
  return securityContext === undefined ? { name, image } : { name, image, securityContext };
}

export function asPod(name: string, spec: JsonObject): JsonObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec };
}

/** The pod template every controller below embeds, labelled so its selector matches. */
function template(name: string, spec: JsonObject): JsonObject {
  return { metadata: { labels: { app: name } }, spec };
}

function replicated(apiVersion: string, kind: string, name: string, spec: JsonObject): JsonObject {
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: "default" },
    spec: { selector: { matchLabels: { app: name } }, template: template(name, spec) },
  };
}

export function asDeployment(name: string, spec: JsonObject): JsonObject {
  return replicated("apps/v1", "Deployment", name, spec);
}

export function asReplicaSet(name: string, spec: JsonObject): JsonObject {
  return replicated("apps/v1", "ReplicaSet", name, spec);
}

export function asDaemonSet(name: string, spec: JsonObject): JsonObject {
  return replicated("apps/v1", "DaemonSet", name, spec);
}

/** `more` adds fields to the StatefulSet's own spec, such as `volumeClaimTemplates`. */
export function asStatefulSet(name: string, spec: JsonObject, more: JsonObject = {}): JsonObject {
  const statefulSet = replicated("apps/v1", "StatefulSet", name, spec);
  const ownSpec = { ...(statefulSet.spec as JsonObject), serviceName: name, ...more };
  return { ...statefulSet, spec: ownSpec };
}

/** Jobs need `restartPolicy` Never or OnFailure; the spec's own value wins. */
export function asJob(name: string, spec: JsonObject): JsonObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default" },
    spec: { template: template(name, { restartPolicy: "Never", ...spec }) },
  };
}

export function asCronJob(name: string, spec: JsonObject, schedule = "*/15 * * * *"): JsonObject {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: "default" },
    spec: {
      schedule,
      jobTemplate: { spec: { template: template(name, { restartPolicy: "OnFailure", ...spec }) } },
    },
  };
}
