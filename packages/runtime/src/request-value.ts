/**
 * The `request` root of a Resource (packages/ir README, item 17), the same for every engine:
 * `{operation, userInfo, oldObject}`. Offline (no `Resource.request`) it is a CREATE with no
 * user and no old object. On a DELETE the old object is the object being deleted (the
 * Resource's own object), whatever the context says; on a CREATE there is none.
 */
import type { Json, JsonObject, Operation } from "@charter/ir";
import type { Resource } from "./types.js";
import { isObject } from "./value.js";

/** The operation a resource is judged in: its request's, or CREATE offline. */
export function operationOf(resource: Resource): Operation {
  return resource.request?.operation ?? "CREATE";
}

/** The old object a resource's request carries, as every engine reads it. */
export function oldObjectOf(resource: Resource): Json | undefined {
  const request = resource.request;
  if (request === undefined) return undefined;
  if (request.operation === "DELETE") return resource.object;
  if (request.operation === "UPDATE") return request.oldObject;
  return undefined;
}

const isStrings = (value: Json | undefined): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === "string");

/**
 * The user as the API server sends it: UserInfo's fields with Go's `omitempty` (an empty
 * string, list or map is absent) and only fields of their type; undefined when none is left.
 */
export function boundUserInfo(userInfo: Json | undefined): JsonObject | undefined {
  if (!isObject(userInfo)) return undefined;
  const { username, uid, groups, extra } = userInfo;
  const entries = isObject(extra)
    ? Object.entries(extra).filter(([, values]) => isStrings(values))
    : [];
  const bound: JsonObject = {
    ...(typeof username === "string" && username !== "" ? { username } : {}),
    ...(typeof uid === "string" && uid !== "" ? { uid } : {}),
    ...(isStrings(groups) && groups.length > 0 ? { groups } : {}),
    ...(entries.length > 0 ? { extra: Object.fromEntries(entries) } : {}),
  };
  return Object.keys(bound).length > 0 ? bound : undefined;
}

/** The value of the `request` root for a resource. */
export function requestValueOf(resource: Resource): JsonObject {
  const userInfo = boundUserInfo(resource.request?.userInfo);
  const oldObject = oldObjectOf(resource);
  return {
    operation: operationOf(resource),
    ...(userInfo !== undefined ? { userInfo } : {}),
    ...(oldObject !== undefined && oldObject !== null ? { oldObject } : {}),
  };
}

/**
 * What the Rego target takes as `input` for a resource: the bare object offline, or the
 * `admission.k8s.io/v1` AdmissionReview the API server would send for its request (on a
 * DELETE the object is null and the old object is the one being deleted, as the server sends).
 */
export function regoInputOf(resource: Resource): Json {
  const request = resource.request;
  if (request === undefined) return resource.object;
  const oldObject = oldObjectOf(resource);
  const userInfo = boundUserInfo(request.userInfo);
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "charter-offline",
      operation: request.operation,
      object: request.operation === "DELETE" ? null : resource.object,
      oldObject: oldObject ?? null,
      ...(userInfo !== undefined ? { userInfo } : {}),
    },
  };
}
