export {
  CelActivation,
  CelEngineError,
  type CelOutcome,
  CelProgram,
  type CelRequest,
  CelSyntaxError,
  type CelVariableSource,
  type CompiledCel,
  celBatchOf,
  celToJson,
  compileCel,
  createInProcessCelEngine,
  type EmitCelPolicy,
  type EmittedCelPolicy,
  evaluateCel,
  InProcessBatch,
  type InProcessCelEngineName,
  type InProcessCelEngineOptions,
  runInProcessBatch,
  verdictOf,
} from "./cel-in-process/index.js";
export {
  CelJudgeError,
  type FindCelJudgeOptions,
  findCelJudge,
  type JudgeBatch,
  type JudgeCase,
  type JudgeCompileError,
  type JudgeExpression,
  type JudgeOutput,
  type JudgeResult,
  type JudgeVariable,
  type MatchBatch,
  type MatchOutput,
  type MatchRequest,
  type MatchResult,
  runCelJudge,
  runCelJudgeMatch,
} from "./cel-judge-client/index.js";
export { type CelJudgeEngineOptions, createCelJudgeEngine } from "./cel-judge-engine/index.js";
export { reportNamespaceOf } from "./cluster-scoped.js";
export {
  createEngines,
  ENGINE_NAMES,
  type EngineChoice,
  type EngineName,
  type EngineSettings,
  type ExceptionsInForce,
  engineFactory,
} from "./engine-factory.js";
export {
  type AppliedException,
  applyExceptions,
  type ExceptionOutcome,
  exceptionFor,
  exceptionMatches,
  excused,
  expiringWithin,
  inForce,
  withExceptions,
} from "./exceptions/index.js";
export { type FindToolOptions, findTool, isExecutable } from "./find-tool.js";
export {
  admissionReview,
  constraintMatches,
  createGatekeeperEngine,
  type FindGatorOptions,
  findGator,
  type GatekeeperEngineOptions,
  namespaceGlobMatches,
} from "./gatekeeper/index.js";
export {
  createGeneratedEngine,
  type GeneratedEngine,
  type GeneratedEngineOptions,
} from "./generated-engine/engine.js";
export { identityOf } from "./identity.js";
export { type ImageContext, imageContextOf } from "./images/image-context.js";
export {
  compileImageRules,
  NOT_VERIFIED,
  type PodImage,
  podImages,
} from "./images/judge-images.js";
export { applyApiServerDefaults } from "./input/api-server-defaults.js";
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
export { MAX_NESTING_DEPTH, YAML_READER } from "./input/yaml-documents.js";
export {
  caseResource,
  caseResources,
  InventoryIndex,
  inventoriesOf,
  inventoryKindsOf,
  namespaceObjectOf,
  namespaceOf,
  ruleReadsNamespace,
  ruleSkipReason,
} from "./inventory/index.js";
export { createIrEngine, type IrEngine, type IrEngineOptions } from "./ir-engine/engine.js";
export { type CompiledPolicy, compilePolicy, evaluatePolicy } from "./ir-engine/evaluate.js";
export { EVALUATORS, type Evaluator, isEvaluator } from "./ir-engine/evaluator.js";
export { type Projection, project, projectionOf } from "./ir-engine/projection.js";
export {
  createScan,
  inReportOrder,
  inScanOrder,
  judgedAtEnd,
  type Scan,
} from "./ir-engine/scan.js";
export {
  type Applies,
  type PodView,
  podView,
  policyApplies,
  systemNamespaceReason,
} from "./match.js";
export {
  createOpaEngine,
  type FindOpaOptions,
  findOpa,
  type OpaEngineOptions,
} from "./opa/index.js";
export { createPartialEngine } from "./partial-engine.js";
export {
  type ScanEvent,
  type ScanListener,
  type ScanResult,
  type ScanSetup,
  scanResources,
} from "./scan-resources.js";
export type {
  AdmissionContext,
  Engine,
  Finding,
  Resource,
  ResourceIdentity,
  Result,
} from "./types.js";
export {
  deepEqual,
  MISSING,
  type Missing,
  renderValue,
  type Value,
} from "./value.js";
export {
  createWasmEngine,
  HOST_BUILTINS,
  loadCompiledPolicy,
  WASM_ENGINE_ENTRYPOINT,
  type WasmEngineOptions,
} from "./wasm/index.js";
