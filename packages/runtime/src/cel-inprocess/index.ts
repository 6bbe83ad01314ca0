// The in-process CEL engines (`kyverno-cel`, `vap-cel`): @bufbuild/cel with the Kubernetes semantics.
export { InProcessBatch, runInProcessBatch } from "./batch.js";
export {
  CelEngineError,
  celBatchOf,
  createInProcessCelEngine,
  type EmitCelPolicy,
  type EmittedCelPolicy,
  type InProcessCelEngineName,
  type InProcessCelEngineOptions,
  verdictOf,
} from "./engine.js";
export {
  CelActivation,
  type CelOutcome,
  CelProgram,
  type CelRequest,
  CelSyntaxError,
  type CelVariableSource,
  type CompiledCel,
  celToJson,
  compileCel,
  evaluateCel,
} from "./evaluator.js";
