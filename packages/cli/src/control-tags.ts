/**
 * Control tags a policy cites that the vocabulary (docs/controls.ts, generated from
 * controls.md) does not define: a typo, most likely. `test` and `build` warn about each, so it
 * is seen before `charter docs` files it under "Tags outside the vocabulary".
 */
import { relative } from "node:path";
import { CONTROLS } from "@charter/compiler/constants";
import { didYouMean, type Policy } from "@charter/ir";

const KNOWN = new Set(CONTROLS.map((control) => control.tag));

/** One `file:line: warning: …` line per unknown tag, in policy order. */
export function unknownControlWarnings(policies: readonly Policy[], cwd: string): string[] {
  return policies.flatMap((policy) =>
    [...new Set(policy.controls)]
      .filter((tag) => !KNOWN.has(tag))
      .map((tag) => {
        const where = policy.source
          ? `${relative(cwd, policy.source.file) || policy.source.file}:${policy.source.line}: `
          : "";
        const suggestion = didYouMean(tag, KNOWN);
        return `${where}warning: policy ${policy.name} cites the control ${JSON.stringify(tag)}, which is not in the vocabulary${suggestion ? `; ${suggestion}` : ""} (the vocabulary is in Charter's docs/controls.md)`;
      }),
  );
}
