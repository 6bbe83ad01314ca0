/** Who a resource is, for report rows: apiVersion, kind, namespace (when set) and name. */
import type { Json } from "@charter/ir";
import type { ResourceIdentity } from "./types.js";
import { isObject } from "./value.js";

function nonEmptyString(value: Json | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * Reads the identity of any value without throwing: a field that is absent or not a string
 * reads as "" (and `namespace` is left out). An object created from `generateName` has no name
 * yet, so its generateName stands in for it.
 */
export function identityOf(object: Json): ResourceIdentity {
  const fields = isObject(object) ? object : {};
  const metadata = isObject(fields.metadata) ? fields.metadata : {};
  const namespace = nonEmptyString(metadata.namespace);
  return {
    apiVersion: nonEmptyString(fields.apiVersion) ?? "",
    kind: nonEmptyString(fields.kind) ?? "",
    ...(namespace !== undefined ? { namespace } : {}),
    name: nonEmptyString(metadata.name) ?? nonEmptyString(metadata.generateName) ?? "",
  };
}
