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
export { validatingPolicyDocument } from "./validating-policy.js";
