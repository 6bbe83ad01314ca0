// The Kubernetes CEL judge: CEL evaluated by the API server's own CEL environment (tools/cel-judge).
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
