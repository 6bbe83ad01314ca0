export { REMOVED_VERSIONS, type RemovedVersion } from "./api-versions/removed-versions.js";
export { unservedApiVersion } from "./api-versions/served-version.js";
export * from "./cel-engine/index.js";
export * from "./cel-inprocess/index.js";
export * from "./cel-judge/index.js";
export { reportNamespaceOf } from "./cluster-scoped.js";
export { createIrEngine, type IrEngine } from "./engine.js";
export {
  ENGINE_NAMES,
  type EngineName,
  type ExceptionsInForce,
  engineFactory,
} from "./engine-factory.js";
export { type CompiledPolicy, compilePolicy, evaluatePolicy } from "./evaluate.js";
export * from "./exceptions/index.js";
export { DEFAULT_INCLUDE } from "./files.js";
export * from "./gatekeeper/index.js";
export { globToRe2 } from "./glob.js";
export { identityOf } from "./identity.js";
export * from "./inventory/index.js";
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
} from "./load.js";
export { type Applies, type PodView, podView, policyApplies } from "./match.js";
export * from "./opa/index.js";
export { createPartialEngine } from "./partial-engine.js";
export { type Projection, project, projectionOf } from "./projection.js";
export { createScan, inReportOrder, inScanOrder, judgedAtEnd, type Scan } from "./scan.js";
export type { Engine, Finding, Resource, ResourceIdentity, Result } from "./types.js";
export {
  codePointLength,
  compareCodePoints,
  deepEqual,
  MISSING,
  type Missing,
  renderValue,
  type Value,
} from "./value.js";
export * from "./wasm/index.js";
export { MAX_NESTING_DEPTH } from "./yaml-documents.js";
