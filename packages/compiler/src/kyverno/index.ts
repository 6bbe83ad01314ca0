export { clusterPolicyDocument, kyvernoKind } from "./cluster-policy.js";
export {
  emitKyverno,
  KYVERNO_APIS,
  type KyvernoApi,
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
export { validatingPolicyDocument } from "./validating-policy.js";
