export {
  NAMESPACE_METADATA_FIELDS,
  NAMESPACE_SPEC_FIELDS,
  NAMESPACE_STATUS_FIELDS,
  unboundNamespacePath,
} from "../namespace-object.js";
export { celString } from "./escape.js";
export { exceptionMatchCel, exceptionsForRule, foldExceptions } from "./exception-match.js";
export { celLiteral } from "./literal.js";
export {
  emitCelPolicy,
  LABELS_CONDITION,
  NAMESPACE_CONDITION,
  POD_TEMPLATE_CONDITION,
} from "./policy-emitter.js";
export type {
  CelMatchCondition,
  CelOptions,
  CelPolicy,
  CelValidation,
  CelVariable,
} from "./types.js";
