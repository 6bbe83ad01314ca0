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
export { OpaError, runOpa, writeTree } from "./opa/index.js";
export {
  emitRego,
  regoPackageName,
  regoPackageRef,
  regoPackageSegment,
  regoPolicyPath,
  regoString,
} from "./rego/index.js";
export {
  type Capability,
  compileTargets,
  DEFAULT_TARGET_OPTIONS,
  type EmitTarget,
  type EngineVersion,
  EXCEPTIONS_WITHOUT_CLOCK,
  engineVersionText,
  exceptionsFor,
  expiredStillShipped,
  MINIMUM_VERSIONS,
  policiesFor,
  supports,
  TARGET_NAMES,
  TARGETS,
  type TargetDescriptor,
  type TargetName,
  type TargetOptions,
  type TargetVariant,
  versionTable,
} from "./targets/index.js";
export { emitVap, vapBindingName } from "./vap/index.js";
export {
  type BuildWasmOptions,
  buildWasm,
  emitWasm,
  isWasmHostBuiltin,
  WASM_AGGREGATE_ENTRYPOINT,
  WASM_HOST_BUILTINS,
  type WasmBuild,
  type WasmHostBuiltin,
  wasmEntrypoints,
} from "./wasm/index.js";
export { toYaml } from "./yaml.js";
