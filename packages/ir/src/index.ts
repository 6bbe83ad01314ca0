export { codePointLength, compareCodePoints } from "./code-points.js";
export { didYouMean, editDistance, type SuggestionRule } from "./did-you-mean.js";
export * from "./errors.js";
export * from "./exception.js";
export type * from "./expr.js";
export { deepFreeze } from "./freeze.js";
export { globToRe2 } from "./glob.js";
export * from "./inventory.js";
export type * from "./json.js";
export * from "./message.js";
export {
  boundNamespaceObject,
  NAMESPACE_METADATA_FIELDS,
  NAMESPACE_SECTIONS,
  NAMESPACE_SPEC_FIELDS,
  NAMESPACE_STATUS_FIELDS,
  unboundNamespacePath,
} from "./namespace-object.js";
export {
  and,
  compare,
  exists,
  index,
  inventory,
  keys,
  len,
  list,
  literal,
  membership,
  not,
  or,
  orElse,
  quantifier,
  ref,
  stringTest,
} from "./nodes.js";
export {
  type ParamProblem,
  paramPathText,
  paramProblems,
  validateValues,
} from "./param-values.js";
export * from "./pod.js";
export type * from "./policy.js";
export { ADMISSION_TARGETS, TARGET_NAMES } from "./policy.js";
export { IR_VERSION, type PolicySet } from "./policy-set.js";
export { patternProblem } from "./re2-pattern.js";
export * from "./schema.js";
export * from "./visit.js";
export { withParams } from "./with-params.js";
export * from "./witness.js";
export * from "./yaml-error-message.js";
