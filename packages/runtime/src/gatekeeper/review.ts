/**
 * Gatekeeper's input for one object: `{review, parameters}`, where `review` is the
 * AdmissionRequest-like object Gatekeeper builds for a CREATE (targets.md §2.2–2.3).
 */
import { groupOf, type Json, type JsonObject } from "@charter/ir";
import { isObject } from "../value.js";

function text(value: Json | undefined): string {
  return typeof value === "string" ? value : "";
}

export function admissionReview(object: Json): JsonObject {
  const fields = isObject(object) ? object : {};
  const metadata = isObject(fields.metadata) ? fields.metadata : {};
  const apiVersion = text(fields.apiVersion);
  const slash = apiVersion.indexOf("/");
  return {
    object,
    kind: {
      group: groupOf(apiVersion),
      version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
      kind: text(fields.kind),
    },
    name: text(metadata.name),
    namespace: text(metadata.namespace),
    operation: "CREATE",
  };
}
