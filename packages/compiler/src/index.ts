export * from "./bundle/index.js";
export * from "./cel/index.js";
export * from "./gatekeeper/index.js";
export {
  emitKyverno,
  KYVERNO_APIS,
  type KyvernoApi,
  type KyvernoOptions,
  kyvernoPolicyRef,
} from "./kyverno/index.js";
export {
  emitRego,
  regoPackageName,
  regoPackageRef,
  regoPackageSegment,
  regoPolicyPath,
  regoString,
} from "./rego/index.js";
export { emitVap, vapBindingName } from "./vap/index.js";
export { toYaml } from "./yaml.js";
