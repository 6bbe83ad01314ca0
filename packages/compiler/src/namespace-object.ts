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
import type { Segment } from "@charter/ir";

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
