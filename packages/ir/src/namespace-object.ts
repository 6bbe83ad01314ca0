/**
 * What the API server gives CEL as `namespaceObject` (k8s.io/apiserver, admission/plugin/cel
 * `CreateNamespaceObject`): a copy of the Namespace with only some metadata fields, its spec
 * and its status, converted to JSON with Go's `omitempty` (an empty map, list or string and a
 * zero number are absent). No `apiVersion`, `kind`, `ownerReferences`, `managedFields`.
 *
 * The `namespace` root may only read what both sides hold alike: a path into one of the fields
 * below. Anything else would be present offline (the manifest) and missing at admission.
 * Timestamps and status conditions are left out too: Go reformats a timestamp (fractions of a
 * second dropped) and refuses a malformed one, so the manifest's text is not what CEL sees.
 */

import type { Segment } from "./expr.js";
import type { Json, JsonObject } from "./json.js";

/** `metadata` fields the server copies, with the JSON type Go gives them. */
export const NAMESPACE_METADATA_FIELDS = {
  name: "string",
  generateName: "string",
  namespace: "string",
  uid: "string",
  resourceVersion: "string",
  generation: "integer",
  deletionGracePeriodSeconds: "integer",
  labels: "string-map",
  annotations: "string-map",
  finalizers: "string-list",
} as const;

/** `spec` and `status` fields of core/v1 NamespaceSpec and NamespaceStatus. */
export const NAMESPACE_SPEC_FIELDS = { finalizers: "string-list" } as const;
export const NAMESPACE_STATUS_FIELDS = { phase: "string" } as const;

/** Every section of the bound Namespace with its fields and their Go types. */
export const NAMESPACE_SECTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  metadata: NAMESPACE_METADATA_FIELDS,
  spec: NAMESPACE_SPEC_FIELDS,
  status: NAMESPACE_STATUS_FIELDS,
};

/** Why CEL cannot read this path of the Namespace, or undefined when it can. */
export function unboundNamespacePath(path: readonly Segment[]): string | undefined {
  const [section, field] = path;
  const fields = typeof section === "string" ? NAMESPACE_SECTIONS[section] : undefined;
  if (fields !== undefined && typeof field === "string" && Object.hasOwn(fields, field)) {
    return undefined;
  }
  const shown = path.length === 0 ? "namespace" : `namespace.${path.join(".")}`;
  const bound = Object.entries(NAMESPACE_SECTIONS)
    .map(([name, f]) => `${name}.{${Object.keys(f).join(", ")}}`)
    .join(", ");
  return `\`${shown}\` reads a part of the Namespace the API server does not give CEL (namespaceObject holds only ${bound})`;
}

/**
 * The projection itself (k8s.io/apiserver `CreateNamespaceObject`, then JSON with Go's
 * `omitempty`): only the fields above, each with the JSON type Go gives it; empty strings, maps
 * and lists and zero integers are absent. A value of another type (possible in a manifest,
 * never in a cluster) is left out, so the judge can always decode it. Every engine reads the
 * `namespace` root as this, so a manifest's `labels: {}` reads as the cluster would show it —
 * absent — on all of them.
 */
type FieldType = "string" | "integer" | "string-map" | "string-list";

function bound(value: Json | undefined, type: FieldType): Json | undefined {
  switch (type) {
    case "string":
      return typeof value === "string" && value !== "" ? value : undefined;
    case "integer":
      return typeof value === "number" && Number.isSafeInteger(value) && value !== 0
        ? value
        : undefined;
    case "string-map": {
      if (!isJsonObject(value)) return undefined;
      const entries = Object.entries(value).filter(([, v]) => typeof v === "string");
      return entries.length > 0 ? Object.fromEntries(entries) : undefined;
    }
    case "string-list": {
      if (!Array.isArray(value)) return undefined;
      const items = value.filter((v) => typeof v === "string");
      return items.length > 0 ? items : undefined;
    }
  }
}

function section(value: Json | undefined, fields: Readonly<Record<string, FieldType>>): JsonObject {
  const out: Record<string, Json> = {};
  if (!isJsonObject(value)) return out;
  for (const [name, type] of Object.entries(fields)) {
    const kept = bound(value[name], type);
    if (kept !== undefined) out[name] = kept;
  }
  return out;
}

/** What CEL reads as `namespaceObject` for this Namespace manifest (null stays null). */
export function boundNamespaceObject(namespace: Json | undefined): Json {
  if (!isJsonObject(namespace)) return null;
  return {
    metadata: section(namespace.metadata, NAMESPACE_METADATA_FIELDS),
    spec: section(namespace.spec, NAMESPACE_SPEC_FIELDS),
    status: section(namespace.status, NAMESPACE_STATUS_FIELDS),
  };
}

function isJsonObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
