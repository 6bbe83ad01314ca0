/**
 * A resource as the CEL judge's admission request (packages/ir README, item 17): `object`
 * (null on a DELETE, as the API server binds it), `oldObject`, `operation` and `userInfo`.
 */
import type { Json } from "@charter/ir";
import type { JudgeCase, JudgeUserInfo } from "../cel-judge-client/protocol.js";
import { boundUserInfo, oldObjectOf, operationOf } from "../request-value.js";
import type { Resource } from "../types.js";

export function judgeRequestOf(resource: Resource): Omit<JudgeCase, "id"> {
  const operation = operationOf(resource);
  const oldObject = oldObjectOf(resource);
  const userInfo = boundUserInfo(resource.request?.userInfo);
  return {
    ...(operation !== "DELETE" ? { object: resource.object as Json } : {}),
    ...(oldObject !== undefined && oldObject !== null ? { oldObject } : {}),
    ...(resource.request !== undefined ? { operation } : {}),
    ...(userInfo !== undefined ? { userInfo: userInfo as JudgeUserInfo } : {}),
  };
}
