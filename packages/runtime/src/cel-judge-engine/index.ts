/**
 * The `cel-judge` engine: each policy's emitted CEL judged by the Kubernetes API server's own
 * CEL environment, through the judge process that cel-judge-client/ runs. The reference the
 * in-process CEL engines (cel-in-process/) must agree with; needs the tools/kubernetes/cel-judge binary.
 */
export { type CelJudgeEngineOptions, createCelJudgeEngine } from "./engine.js";
