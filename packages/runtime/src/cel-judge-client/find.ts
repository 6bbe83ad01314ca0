/**
 * Where the `cel-judge` binary is: `$CHARTER_CEL_JUDGE`, `.tools/bin/cel-judge`, or PATH (see
 * find-tool.ts); scripts/install-cel-judge.sh builds it.
 */
import { type FindToolOptions, findTool } from "../find-tool.js";

export type FindCelJudgeOptions = FindToolOptions;

/** The path of a `cel-judge` binary, or undefined when there is none. */
export function findCelJudge(options: FindCelJudgeOptions = {}): string | undefined {
  return findTool("cel-judge", "CHARTER_CEL_JUDGE", options);
}
