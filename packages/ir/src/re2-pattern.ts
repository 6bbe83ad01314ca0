/**
 * Whether RE2 (what OPA and CEL use) accepts a pattern: one check for the literal patterns of
 * a condition and for the parameter values the conditions use as patterns.
 */
import { RE2JS } from "re2js";

/** Why RE2 rejects `pattern`, with what to do; undefined when it accepts it. */
export function patternProblem(pattern: string): { message: string; hint: string } | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      message: `the pattern ${JSON.stringify(pattern)} is not a valid RE2 regular expression: ${reason}`,
      hint: "RE2 has no lookaround or backreferences; see https://github.com/google/re2/wiki/Syntax",
    };
  }
}
