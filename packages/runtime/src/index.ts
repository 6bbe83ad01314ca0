export * from "./cel-in-process/index.js";
export * from "./cel-judge-client/index.js";
export * from "./cel-judge-engine/index.js";
export { reportNamespaceOf } from "./cluster-scoped.js";
export {
  createEngines,
  ENGINE_NAMES,
  type EngineChoice,
  type EngineName,
  type ExceptionsInForce,
  engineFactory,
} from "./engine-factory.js";
export * from "./exceptions/index.js";
export * from "./gatekeeper/index.js";
export { identityOf } from "./identity.js";
export { REMOVED_VERSIONS, type RemovedVersion } from "./input/api-versions/removed-versions.js";
export { unservedApiVersion } from "./input/api-versions/served-version.js";
export { DEFAULT_INCLUDE } from "./input/files.js";
export {
  DEFAULT_MAX_DOCUMENT_SIZE,
  type LoadEvent,
  type LoadOptions,
  type LoadProblem,
  type LoadResult,
  loadResources,
  type SkippedDocument,
  STDIN_NAME,
  streamResources,
} from "./input/load.js";
export { MAX_NESTING_DEPTH } from "./input/yaml-documents.js";
export * from "./inventory/index.js";
export { createIrEngine, type IrEngine } from "./ir-engine/engine.js";
export { type CompiledPolicy, compilePolicy, evaluatePolicy } from "./ir-engine/evaluate.js";
export { type Projection, project, projectionOf } from "./ir-engine/projection.js";
export {
  createScan,
  inReportOrder,
  inScanOrder,
  judgedAtEnd,
  type Scan,
} from "./ir-engine/scan.js";
export { type Applies, type PodView, podView, policyApplies } from "./match.js";
export * from "./opa/index.js";
export { createPartialEngine } from "./partial-engine.js";
export {
  type ScanListener,
  type ScanResult,
  type ScanSetup,
  scanResources,
} from "./scan-resources.js";
export type { Engine, Finding, Resource, ResourceIdentity, Result } from "./types.js";
export {
  deepEqual,
  MISSING,
  type Missing,
  renderValue,
  type Value,
} from "./value.js";
export * from "./wasm/index.js";
