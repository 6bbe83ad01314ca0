export { clusterPolicyDocument, kyvernoKind } from "./cluster-policy.js";
export {
  emitKyverno,
  type KyvernoOptions,
  type KyvernoPolicyRef,
  kyvernoDocument,
  kyvernoPolicyRef,
} from "./emit-kyverno.js";
export {
  clusterPolicyException,
  DEFAULT_EXCEPTION_NAMESPACE,
  EXCEPTION_CONDITION,
  kyvernoExpiry,
  POLICY_EXCEPTION_API_VERSION,
  splitExceptions,
  TTL_LABEL,
  validatingPolicyException,
} from "./exceptions.js";
export {
  IMAGE_VALIDATING_POLICY_API_VERSION,
  imageValidatingPolicyDocument,
} from "./image-validating-policy.js";
export { recentEnoughCel } from "./image-validations.js";
export { KYVERNO_APIS, type KyvernoApi } from "./kyverno-api.js";
export { validatingPolicyDocument } from "./validating-policy.js";
export { verifyImagesEntry } from "./verify-images.js";
