// The CEL judge engine: the emitted CEL judged by the Kubernetes API server's CEL environment.
export { type CelJudgeEngineOptions, createCelJudgeEngine } from "./engine.js";
