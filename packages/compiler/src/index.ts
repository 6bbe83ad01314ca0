export * from "./bundle/index.js";
export * from "./cel/index.js";
export { CONTROLS } from "./docs/controls.js";
export { controlsPage } from "./docs/controls-page.js";
export { type DocsInput, generateDocs } from "./docs/generate.js";
export { count, policies as policiesCount } from "./docs/plural.js";
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
  escapeRego,
  globToRegex,
  regoPackageName,
  regoPackageRef,
  regoPackageSegment,
  regoPolicyPath,
  regoString,
} from "./rego/index.js";
export {
  compileTargets,
  DEFAULT_TARGET_OPTIONS,
  EXCEPTIONS_WITHOUT_CLOCK,
  exceptionsFor,
  expiredStillShipped,
  parseTargetOptions,
  parseTargets,
  policiesFor,
  TARGET_NAMES,
  TARGETS,
  type TargetName,
  type TargetOptions,
} from "./targets.js";
export { emitVap, vapBindingName } from "./vap/index.js";
export { toYaml } from "./yaml.js";
