export {
  type CelAdmission,
  celSubject,
  KUBERNETES_ADMISSION,
} from "./admission-request.js";
export { celString } from "./escape.js";
export { exceptionMatchCel, exceptionsForRule, foldExceptions } from "./exception-match.js";
export { celLiteral } from "./literal.js";
export {
  emitCelCondition,
  emitCelPolicy,
  LABELS_CONDITION,
  NAMESPACE_CONDITION,
  POD_TEMPLATE_CONDITION,
  podImagesCel,
} from "./policy-emitter.js";
export type {
  CelMatchCondition,
  CelOptions,
  CelPolicy,
  CelValidation,
  CelVariable,
} from "./types.js";
