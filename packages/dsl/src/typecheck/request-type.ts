/**
 * The type of the `request` root (packages/ir README, item 17): the operation, the requesting
 * user as an AdmissionReview's UserInfo holds it, and the old object, typed like the object
 * the policy matches. Any other field under `request` is a type error with a suggestion.
 */
import { listOf, mapOf, objectType, scalar, type Ty } from "./types.js";

const STRING = scalar("string");

/** authentication.k8s.io/v1 UserInfo, as the API server puts it in an AdmissionRequest. */
const USER_INFO: Ty = objectType("UserInfo", () => ({
  username: STRING,
  uid: STRING,
  groups: listOf(STRING),
  extra: mapOf(listOf(STRING)),
}));

/** `request`, with `oldObject` of the type of the policy's `object` root. */
export function requestType(object: Ty): Ty {
  return objectType("request", () => ({
    operation: STRING,
    userInfo: USER_INFO,
    oldObject: object,
  }));
}
