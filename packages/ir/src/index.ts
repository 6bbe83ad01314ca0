export {
  attestorKeyProblems,
  attestorKeys,
  imageRulesOf,
  isPemPublicKey,
  UNCONFIGURED_PREFIX,
  unconfiguredReason,
} from "./attestor-keys.js";
export { codePointLength, compareCodePoints } from "./code-points.js";
export { didYouMean, editDistance, type SuggestionRule } from "./did-you-mean.js";
export { CharterError, type ErrorLocation, isCharterError } from "./errors.js";
export {
  type ExceptionMatch,
  expiryInstant,
  isValidExpiry,
  type PolicyException,
} from "./exception.js";
export type {
  And,
  Compare,
  Condition,
  Default,
  Exists,
  Expr,
  ExprKind,
  In,
  Index,
  Inventory,
  Keys,
  Len,
  ListExpr,
  Literal,
  Not,
  Or,
  Quantifier,
  Ref,
  Root,
  Segment,
  StringTest,
} from "./expr.js";
export { deepFreeze } from "./freeze.js";
export { globToRe2 } from "./glob.js";
export {
  type Attestor,
  type IdentityMatch,
  type ImageFacts,
  type ImageRequirement,
  type ImageRequirementKind,
  type ImageRules,
  type ImageScan,
  type ImageVulnerability,
  type MaxAge,
  PREDICATE_VARIABLE,
  pinnedDigest,
  requirementAttestors,
  requirementVariable,
  ruleNamesOf,
  SCAN_VARIABLE,
  type VerifiedAttestation,
  type VerifiedSignature,
} from "./images.js";
export { instantNanos } from "./instant.js";
export {
  type InventoryKind,
  inventoryKinds,
  isCrossResource,
  listsInventory,
  NAMESPACE_KIND,
  readsNamespace,
} from "./inventory.js";
export type { Json, JsonObject } from "./json.js";
export { holeWord, oneLine, staticMessage } from "./message.js";
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
  DEFAULT_OPERATIONS,
  judgesOperation,
  OPERATIONS,
  type Operation,
  operationsOf,
} from "./operations.js";
export {
  type ParamProblem,
  paramPathText,
  paramProblems,
  validateValues,
} from "./param-values.js";
export {
  CONTAINER_LISTS,
  groupOf,
  isPodKind,
  judgesPods,
  POD_CONTROLLERS,
  POD_KIND,
  POD_SPEC_SUBRESOURCES,
  type PodController,
} from "./pod.js";
export type {
  Enforcement,
  KindRef,
  LabelOperator,
  LabelRequirement,
  LabelSelector,
  Match,
  Message,
  MessagePart,
  NamespaceFilter,
  Parameters,
  Policy,
  Rule,
  Severity,
  SourceLocation,
  TargetName,
  TestCase,
  UserInfo,
} from "./policy.js";
export { ADMISSION_TARGETS, TARGET_NAMES } from "./policy.js";
export { IR_VERSION, type PolicySet } from "./policy-set.js";
export { patternProblem } from "./re2-pattern.js";
export {
  isRequestField,
  REQUEST_FIELDS,
  type RequestField,
  readsRequest,
  USER_INFO_FIELDS,
} from "./request.js";
export { isScanOnly, scanOnlyReasons } from "./scan-only.js";
export {
  IR_SCHEMA,
  IrValidationError,
  LABEL_KEY_PATTERN,
  LABEL_VALUE_PATTERN,
  validatePolicySet,
} from "./schema.js";
export {
  DEFAULT_SYSTEM_NAMESPACES,
  NAMESPACE_NAME_PATTERN,
  systemNamespaceOf,
} from "./system-namespaces.js";
export { childrenOf, type ExprVisitor, visitExpr, walkExpr } from "./visit.js";
export { withParams } from "./with-params.js";
export { type WitnessStep, witnessChain, witnessVariables } from "./witness.js";
export {
  explainYamlError,
  parserWords,
  type YamlErrorExplained,
  type YamlErrorInput,
} from "./yaml-error-message.js";
