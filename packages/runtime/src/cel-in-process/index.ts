/**
 * The in-process CEL engines (`kyverno-cel`, `vap-cel`) and their evaluator: the emitted CEL
 * run by @bufbuild/cel in this process, with the Kubernetes functions and value semantics added.
 * No external process, unlike the `cel-judge` engine (cel-judge-engine/), which it must agree with.
 */
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
