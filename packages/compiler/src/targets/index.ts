export {
  compileTargets,
  EXCEPTIONS_WITHOUT_CLOCK,
  exceptionsFor,
  expiredStillShipped,
  policiesFor,
} from "./compile-targets.js";
export { type EngineVersion, engineVersionText, MINIMUM_VERSIONS } from "./engine-versions.js";
export {
  type Capability,
  DEFAULT_TARGET_OPTIONS,
  type EmitTarget,
  supports,
  type TargetDescriptor,
  type TargetOptions,
  type TargetVariant,
  variantOptions,
} from "./target-descriptor.js";
export { TARGET_NAMES, TARGETS, type TargetName } from "./targets.js";
export { versionTable } from "./version-table.js";
