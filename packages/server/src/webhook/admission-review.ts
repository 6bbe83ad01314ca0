/**
 * Reading an `admission.k8s.io/v1` AdmissionReview the API server sends: the fields the
 * webhook uses, checked, or why the body is not one (answered 400, so the API server applies
 * the webhook's failurePolicy).
 */
import type { Json, JsonObject } from "@charter/ir";

export const ADMISSION_API_VERSION = "admission.k8s.io/v1";

/** The request of a review, as the handler judges it. */
export interface AdmissionRequest {
  readonly uid: string;
  /** `CREATE`, `UPDATE`, `DELETE`, `CONNECT` (anything else is refused as unknown). */
  readonly operation: string;
  /** The new object (CREATE, UPDATE; CONNECT's options object); absent on DELETE. */
  readonly object?: Json;
  /** The stored object (UPDATE) or the one deleted (DELETE). */
  readonly oldObject?: Json;
  readonly userInfo?: Json;
  readonly namespace?: string;
  readonly name?: string;
  /** `{group, version, resource}` of the request (`pods`), and its subresource if any. */
  readonly resource?: string;
  readonly subResource?: string;
  readonly dryRun: boolean;
}

export type ReadReview =
  | { readonly ok: true; readonly review: JsonObject; readonly request: AdmissionRequest }
  | { readonly ok: false; readonly message: string; readonly uid?: string };

const OPERATIONS = new Set(["CREATE", "UPDATE", "DELETE", "CONNECT"]);

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The review, or why `value` (the parsed body) is not an `admission.k8s.io/v1` one. */
export function readAdmissionReview(value: unknown): ReadReview {
  if (!isObject(value)) {
    return { ok: false, message: "the body must be a JSON object: an AdmissionReview" };
  }
  if (value.kind !== "AdmissionReview") {
    return {
      ok: false,
      message: `the body is not an AdmissionReview (kind ${JSON.stringify(value.kind ?? null)})`,
    };
  }
  if (value.apiVersion !== ADMISSION_API_VERSION) {
    return {
      ok: false,
      message: `AdmissionReview apiVersion ${JSON.stringify(value.apiVersion ?? null)} is not served; list only "v1" in the webhook's admissionReviewVersions (${ADMISSION_API_VERSION})`,
    };
  }
  const request = value.request;
  if (!isObject(request)) return { ok: false, message: "the AdmissionReview has no request" };
  const uid = request.uid;
  if (typeof uid !== "string" || uid === "") {
    return { ok: false, message: "the AdmissionReview's request has no uid" };
  }
  const operation = request.operation;
  if (typeof operation !== "string" || !OPERATIONS.has(operation)) {
    return {
      ok: false,
      uid,
      message: `the AdmissionReview's request.operation ${JSON.stringify(operation ?? null)} is not CREATE, UPDATE, DELETE or CONNECT`,
    };
  }
  const text = (field: unknown) => (typeof field === "string" && field !== "" ? field : undefined);
  const resource = isObject(request.resource) ? text(request.resource.resource) : undefined;
  const { object, oldObject, userInfo } = request;
  const namespace = text(request.namespace);
  const name = text(request.name);
  const subResource = text(request.subResource);
  return {
    ok: true,
    review: value,
    request: {
      uid,
      operation,
      ...(isObject(object) ? { object } : {}),
      ...(isObject(oldObject) ? { oldObject } : {}),
      ...(isObject(userInfo) ? { userInfo } : {}),
      ...(namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
      ...(resource ? { resource } : {}),
      ...(subResource ? { subResource } : {}),
      dryRun: request.dryRun === true,
    },
  };
}
