/**
 * Gatekeeper's input for one object: `{review, parameters}`, where `review` is the
 * AdmissionRequest-like object Gatekeeper builds (targets.md §2.2–2.3): a CREATE offline, or
 * the resource's request (packages/ir README, item 17) with its userInfo and oldObject. On a
 * DELETE Gatekeeper puts the old object (the one being deleted) in `object` too
 * (pkg/webhook/policy.go), so `object` is the resource either way.
 */
import { groupOf, type Json, type JsonObject } from "@charter/ir";
import { boundUserInfo, oldObjectOf } from "../request-value.js";
import type { AdmissionContext } from "../types.js";
import { isObject } from "../value.js";

function text(value: Json | undefined): string {
  return typeof value === "string" ? value : "";
}

export function admissionReview(object: Json, request?: AdmissionContext): JsonObject {
  const fields = isObject(object) ? object : {};
  const metadata = isObject(fields.metadata) ? fields.metadata : {};
  const apiVersion = text(fields.apiVersion);
  const slash = apiVersion.indexOf("/");
  const oldObject = request && oldObjectOf({ object, request });
  const userInfo = boundUserInfo(request?.userInfo);
  return {
    object,
    kind: {
      group: groupOf(apiVersion),
      version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
      kind: text(fields.kind),
    },
    name: text(metadata.name),
    namespace: text(metadata.namespace),
    operation: request?.operation ?? "CREATE",
    ...(userInfo !== undefined ? { userInfo } : {}),
    ...(oldObject !== undefined ? { oldObject } : {}),
  };
}
