/**
 * The admission request a test case states (packages/ir README, item 17): `operation`
 * (CREATE by default, as offline), `oldObject` (an UPDATE's stored object) and `userInfo`.
 * Checked here, where the author wrote them, so a case never silently tests something else.
 */
import {
  CharterError,
  type JsonObject,
  OPERATIONS,
  type Operation,
  type SourceLocation,
  type TestCase,
  USER_INFO_FIELDS,
  type UserInfo,
} from "@charter/ir";
import { notJsonReason } from "./json-value.js";

export interface CaseRequest {
  readonly operation?: unknown;
  readonly oldObject?: unknown;
  readonly userInfo?: unknown;
}

type RequestFields = Pick<TestCase, "operation" | "oldObject" | "userInfo">;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === "string");

/** An operation a policy or case may name; CONNECT is refused with the reason. */
export function operationOf(value: unknown, label: string, at: SourceLocation | object): Operation {
  if (value === "CONNECT") {
    throw new CharterError(
      `${label} is CONNECT, which no policy judges`,
      at,
      "a CONNECT request (kubectl exec, attach, port-forward) carries a connect-options object, not the resource a policy matches; admission allows it. Use CREATE, UPDATE or DELETE",
    );
  }
  const found = OPERATIONS.find((operation) => operation === value);
  if (found === undefined) {
    throw new CharterError(
      `${label} is ${JSON.stringify(value)}, not an admission operation`,
      at,
      `use one of ${OPERATIONS.join(", ")}`,
    );
  }
  return found;
}

function userInfoOf(value: unknown, label: string, at: SourceLocation | object): UserInfo {
  const hint = 'write e.g. userInfo: { username: "alice", groups: ["dev"] }';
  if (!isPlainObject(value)) throw new CharterError(`${label} must be an object`, at, hint);
  for (const key of Object.keys(value)) {
    if (!USER_INFO_FIELDS.some((field) => field === key)) {
      throw new CharterError(
        `${label} has an unknown key \`${key}\``,
        at,
        `a user has ${USER_INFO_FIELDS.join(", ")}`,
      );
    }
  }
  const { username, uid, groups, extra } = value;
  for (const [name, field] of [
    ["username", username],
    ["uid", uid],
  ] as const) {
    if (field !== undefined && typeof field !== "string") {
      throw new CharterError(`${label}.${name} must be a string`, at, hint);
    }
  }
  if (groups !== undefined && !isStrings(groups)) {
    throw new CharterError(`${label}.groups must be a list of strings`, at, hint);
  }
  if (extra !== undefined && !(isPlainObject(extra) && Object.values(extra).every(isStrings))) {
    throw new CharterError(
      `${label}.extra must map names to lists of strings`,
      at,
      'write e.g. extra: { scopes: ["view"] }',
    );
  }
  return structuredClone(value) as UserInfo;
}

/** A case's request fields, checked: an UPDATE needs its old object, only an UPDATE has one. */
export function caseRequestOf(
  request: CaseRequest,
  label: string,
  at: SourceLocation | object,
): RequestFields {
  const { operation, oldObject, userInfo } = request;
  const checked =
    operation === undefined ? undefined : operationOf(operation, `${label}.operation`, at);
  if (checked === "UPDATE" && oldObject === undefined) {
    throw new CharterError(
      `${label} is an UPDATE without an oldObject`,
      at,
      "give the object as it was before the update: oldObject: { … }",
    );
  }
  if (oldObject !== undefined) {
    if (checked !== "UPDATE") {
      throw new CharterError(
        `${label}.oldObject belongs to an UPDATE, but the case is a ${checked ?? "CREATE"}`,
        at,
        checked === "DELETE"
          ? "a DELETE judges the object being deleted: write it as the case's resource"
          : 'add operation: "UPDATE", or leave oldObject out',
      );
    }
    if (!isPlainObject(oldObject)) {
      throw new CharterError(`${label}.oldObject must be a Kubernetes object`, at);
    }
    const reason = notJsonReason(oldObject, `${label}.oldObject`);
    if (reason) throw new CharterError(reason, at);
  }
  return {
    ...(checked !== undefined ? { operation: checked } : {}),
    ...(oldObject !== undefined ? { oldObject: structuredClone(oldObject as JsonObject) } : {}),
    ...(userInfo !== undefined ? { userInfo: userInfoOf(userInfo, `${label}.userInfo`, at) } : {}),
  };
}

/** The request fields a case copies into its IR (deep copies, so freezing never reaches them). */
export function copiedRequest(testCase: RequestFields): RequestFields {
  return {
    ...(testCase.operation !== undefined ? { operation: testCase.operation } : {}),
    ...(testCase.oldObject !== undefined
      ? { oldObject: structuredClone(testCase.oldObject) as JsonObject }
      : {}),
    ...(testCase.userInfo !== undefined ? { userInfo: structuredClone(testCase.userInfo) } : {}),
  };
}
