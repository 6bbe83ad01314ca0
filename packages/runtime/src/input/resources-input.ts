/**
 * What `evaluate` takes: a list of resources, each `{ object, source? }`. A bare Kubernetes
 * object (`evaluate([pod])`) would otherwise match no policy and give `[]`, which reads as
 * "nothing failed": refuse it, saying what to pass.
 */
import { CharterError } from "@charter/ir";
import type { Resource } from "../types.js";

export function assertResources(resources: unknown): asserts resources is readonly Resource[] {
  if (!Array.isArray(resources)) {
    throw new CharterError(
      `evaluate takes a list of resources, not ${describe(resources)}`,
      {},
      "pass [{ object: manifest }] (source: { file, line } is optional)",
    );
  }
  resources.forEach((resource, index) => {
    const isObject = typeof resource === "object" && resource !== null && !Array.isArray(resource);
    if (isObject && "object" in resource) return;
    const bare = isObject && ("apiVersion" in resource || "kind" in resource);
    throw new CharterError(
      `evaluate: resources[${index}] is ${bare ? "a bare Kubernetes object" : describe(resource)}, not a resource { object, source? }`,
      {},
      bare
        ? `wrap it: evaluate([{ object: manifest }]) (loadResources gives resources with their source)`
        : "pass [{ object: manifest }] (source: { file, line } is optional)",
    );
  });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object without `object`" : `a ${typeof value}`;
}
