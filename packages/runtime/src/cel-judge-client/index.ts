/**
 * The client of the Kubernetes CEL judge (tools/kubernetes/cel-judge, a Go process linking the API
 * server's CEL environment): how to find it, run it and speak its protocol. No engine here;
 * the `cel-judge` engine (cel-judge-engine/) and the agreement tests use it.
 */
export { type FindCelJudgeOptions, findCelJudge } from "./find.js";
export {
  type MatchBatch,
  type MatchOutput,
  type MatchRequest,
  type MatchResult,
  runCelJudgeMatch,
} from "./match.js";
export type {
  JudgeBatch,
  JudgeCase,
  JudgeCompileError,
  JudgeExpression,
  JudgeOutput,
  JudgeResult,
  JudgeVariable,
} from "./protocol.js";
export { CelJudgeError, runCelJudge } from "./run.js";
