/**
 * What a Rego policy reads its admission request from (packages/ir README, item 17).
 *
 * - The Rego target takes as `input` either the object under review — a CREATE, as offline —
 *   or an `admission.k8s.io/v1` AdmissionReview: then the object is `input.request.object`,
 *   or `input.request.oldObject` on a DELETE (the object being deleted), and the `request`
 *   root reads `input.request`. `resource` is the object either way.
 * - Gatekeeper hands a template `input.review` (an AdmissionRequest, with the object already
 *   swapped for the old one on a DELETE); its audit and gator give no operation: a CREATE.
 */
import { DEFAULT_OPERATIONS, type Match, operationsOf } from "@charter/ir";
import { regoString } from "./escape.js";

/** Where the lib finds the request: an AdmissionReview's, or Gatekeeper's review. */
export type AdmissionInput =
  | { readonly kind: "input-or-review" }
  | { readonly kind: "gatekeeper"; readonly review: string };

/** The lib rules `resource` (Rego target only) and `operation`, `request`. */
export function admissionRules(input: AdmissionInput): string {
  const review = input.kind === "gatekeeper" ? input.review : "admission_request";
  const resource =
    input.kind === "gatekeeper"
      ? ""
      : `# input is the object under review (a CREATE, as offline) or an admission.k8s.io/v1
# AdmissionReview, whose request holds the object, or on a DELETE its oldObject: the object
# being deleted.
admission_review if {
	input.apiVersion == "admission.k8s.io/v1"
	input.kind == "AdmissionReview"
	is_object(input.request)
}

admission_request := input.request if admission_review

resource := input if not admission_review

resource := input.request.object if {
	admission_review
	operation != "DELETE"
}

resource := input.request.oldObject if {
	admission_review
	operation == "DELETE"
}

`;
  return `${resource}# The request's operation; none (offline, an audit) is a CREATE.
default operation := "CREATE"

operation := found if {
	found := ${review}.operation
	is_string(found)
	found != ""
}

# The request root {operation, userInfo, oldObject} (packages/ir README, item 17); a part the
# request does not carry is null (missing). Only an UPDATE or a DELETE has an old object.
default user_info := null

user_info := ${review}.userInfo

default old_object := null

old_object := ${review}.oldObject if operation in {"UPDATE", "DELETE"}

request := {"operation": operation, "userInfo": user_info, "oldObject": old_object}
`;
}

/**
 * The `applies` test of the operations a policy judges: always on the Rego target (an
 * AdmissionReview may be a DELETE); on Gatekeeper only when they are not the default, so
 * existing templates stay as they were (its webhook sends CREATE and UPDATE unless told).
 */
export function operationTest(match: Match, always: boolean): string[] {
  const operations = operationsOf(match);
  const isDefault =
    operations.length === DEFAULT_OPERATIONS.length &&
    operations.every((operation, index) => operation === DEFAULT_OPERATIONS[index]);
  if (isDefault && !always) return [];
  return [`lib.operation in {${operations.map(regoString).join(", ")}}`];
}
