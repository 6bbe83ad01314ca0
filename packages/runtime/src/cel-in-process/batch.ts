/**
 * The cel-judge protocol answered in process: the same batch in, the same results out, so the
 * in-process engine and the Kubernetes judge are compared result by result (value, error,
 * denial message) and the engine builds findings from either the same way.
 *
 * The denial message follows the API server (validating admission, validator.Validate): the
 * messageExpression's string, trimmed like Go's strings.TrimSpace; refused when longer than
 * 5 KiB or holding a line break; then the static message; then `failed expression: …`.
 */
import type { Json } from "@charter/ir";
import type { JudgeBatch, JudgeExpression, JudgeResult } from "../cel-judge-client/protocol.js";
import {
  type CelOutcome,
  CelProgram,
  type CelRequest,
  type CompiledCel,
  compileCel,
} from "./evaluator.js";
import { trimGoSpace } from "./go-text.js";

/** celconfig.MaxEvaluatedMessageExpressionSizeBytes */
const MAX_MESSAGE_BYTES = 5 * 1024;

const utf8 = new TextEncoder();

/** cel-go's wording for the errors JSON data meets, so both engines report alike. */
function celGoError(message: string): string {
  const field = /^field not found: (.*)$/s.exec(message);
  if (field) return `no such key: ${field[1]}`;
  if (/^found no matching overload for /.test(message)) return "no such overload";
  const index = /^index (-?\d+) out of bounds /.exec(message);
  if (index) return `index out of bounds: ${index[1]}`;
  return message;
}

function evaluationError(expression: string, outcome: CelOutcome & { ok: false }): string {
  return `expression '${expression}' resulted in error: ${celGoError(outcome.error)}`;
}

function denialMessage(
  source: JudgeExpression,
  outcome: CelOutcome | undefined,
): { message: string; messageError?: string } {
  let message = "";
  let messageError: string | undefined;
  if (outcome !== undefined) {
    if (!outcome.ok) {
      messageError = evaluationError(source.messageExpression ?? "", outcome);
    } else if (typeof outcome.value === "string") {
      message = trimGoSpace(outcome.value);
      if (utf8.encode(message).length > MAX_MESSAGE_BYTES) {
        message = "";
        messageError = "messageExpression result is longer than the server allows";
      }
      if (message.includes("\n")) {
        message = "";
        messageError = "messageExpression result has a line break, which the server refuses";
      }
    } else {
      messageError = "messageExpression must evaluate to a string";
    }
  }
  if (message === "" && source.message) message = trimGoSpace(source.message);
  if (message === "") message = `failed expression: ${trimGoSpace(source.expression)}`;
  return messageError !== undefined ? { message, messageError } : { message };
}

interface CompiledExpression {
  readonly source: JudgeExpression;
  readonly validation: CompiledCel;
  readonly message?: CompiledCel;
}

/** A batch compiled once (variables, validations, messages) for many cases. */
export class InProcessBatch {
  private readonly program: CelProgram;
  private readonly expressions: readonly CompiledExpression[];

  constructor(batch: Pick<JudgeBatch, "expressions" | "variables">) {
    this.program = new CelProgram(batch.variables ?? []);
    this.expressions = batch.expressions.map((source) => ({
      source,
      validation: compileCel(source.expression),
      ...(source.messageExpression ? { message: compileCel(source.messageExpression) } : {}),
    }));
  }

  /** The results of one case, in expression order, as the judge gives them. */
  evaluate(caseId: string, request: CelRequest): JudgeResult[] {
    const activation = this.program.bind(request);
    return this.expressions.map(({ source, validation, message }) => {
      const base = { case: caseId, expression: source.id };
      const outcome = activation.evaluate(validation);
      if (!outcome.ok) {
        return { ...base, value: null, error: evaluationError(source.expression, outcome) };
      }
      if (typeof outcome.value !== "boolean") {
        const error = `expression '${source.expression}' resulted in error: the result is not a bool`;
        return { ...base, value: null, error };
      }
      if (outcome.value) return { ...base, value: true };
      const denial = denialMessage(source, message && activation.evaluate(message));
      return { ...base, value: false, ...denial };
    });
  }
}

/** Every case of a batch, like `runCelJudge` (compile errors are thrown, not reported). */
export function runInProcessBatch(batch: JudgeBatch): JudgeResult[] {
  const compiled = new InProcessBatch(batch);
  return batch.cases.flatMap((c) =>
    compiled.evaluate(c.id, {
      ...(c.object !== undefined ? { object: c.object as Json } : {}),
      ...(c.oldObject !== undefined ? { oldObject: c.oldObject as Json } : {}),
      ...(c.params !== undefined ? { params: c.params as Json } : {}),
      ...(c.namespaceObject !== undefined ? { namespaceObject: c.namespaceObject as Json } : {}),
      request: {
        operation: c.operation ?? "CREATE",
        ...(c.userInfo !== undefined ? { userInfo: c.userInfo as Json } : {}),
      },
    }),
  );
}
