/**
 * The Namespace as the API server binds it to `namespaceObject` (k8s.io/apiserver
 * `CreateNamespaceObject`, then JSON with Go's `omitempty`): only the fields the CEL emitter
 * lets a policy read (@charter/compiler NAMESPACE_*_FIELDS), each with the JSON type Go gives
 * it; empty strings, maps and lists and zero integers are absent. A value of another type
 * (possible in a manifest, never in a cluster) is left out, so the judge can always decode it.
 * Every engine reads the `namespace` root as this (judged-with.ts), so a manifest's
 * `labels: {}` reads as the cluster would show it — absent — on all of them.
 */
import {
  NAMESPACE_METADATA_FIELDS,
  NAMESPACE_SPEC_FIELDS,
  NAMESPACE_STATUS_FIELDS,
} from "@charter/compiler";
import type { Json, JsonObject } from "@charter/ir";
import { isObject } from "../value.js";

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
      if (!isObject(value)) return undefined;
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
  if (!isObject(value)) return out;
  for (const [name, type] of Object.entries(fields)) {
    const kept = bound(value[name], type);
    if (kept !== undefined) out[name] = kept;
  }
  return out;
}

/** What CEL reads as `namespaceObject` for this Namespace manifest (null stays null). */
export function boundNamespaceObject(namespace: Json | undefined): Json {
  if (!isObject(namespace)) return null;
  return {
    metadata: section(namespace.metadata, NAMESPACE_METADATA_FIELDS),
    spec: section(namespace.spec, NAMESPACE_SPEC_FIELDS),
    status: section(namespace.status, NAMESPACE_STATUS_FIELDS),
  };
}
