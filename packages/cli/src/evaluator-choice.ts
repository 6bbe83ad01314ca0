/**
 * `CHARTER_EVALUATOR=closures|generated`: how the IR engine evaluates rules — closures (the
 * default, the reference) or generated JavaScript (packages/runtime/src/generated-engine). The
 * rows are the same either way; only the speed differs. Read here and nowhere else.
 */
import { CharterError } from "@charter/ir";
import { EVALUATORS, type Evaluator, isEvaluator } from "@charter/runtime/scan";

export function chosenEvaluator(value = process.env.CHARTER_EVALUATOR): Evaluator | undefined {
  if (value === undefined || value === "") return undefined;
  if (!isEvaluator(value)) {
    throw new CharterError(
      `CHARTER_EVALUATOR=${JSON.stringify(value)} is not an evaluator`,
      {},
      `set it to ${EVALUATORS.join(" or ")}, or leave it unset`,
    );
  }
  return value;
}
