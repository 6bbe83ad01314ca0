/**
 * Message templates: `"image {{c.image}} is not allowed"`. Each hole is a value expression of
 * the condition language; it may use the roots and the variables of the rule's witness
 * quantifiers (the `any`s reachable from the top of the condition through `and`).
 */
import {
  CharterError,
  type Expr,
  type Message,
  type MessagePart,
  witnessVariables,
} from "@charter/ir";
import type { CallSite } from "./callsite.js";
import type { LowerContext } from "./lower-context.js";
import { findInSource } from "./source-text.js";
import { TemplateLowering } from "./template/cst-to-ir.js";
import { parseParts } from "./template/parse-template.js";

/**
 * Lowers `template` for a rule whose condition is `condition`. `site` is where the policy was
 * written; the message text is looked up below it to place errors.
 */
export function lowerMessage(
  template: string,
  condition: Expr,
  ctx: LowerContext,
  site: CallSite | undefined,
): Message {
  const bound = witnessVariables(condition);
  const parts: MessagePart[] = [];
  let rest = template;
  let consumed = 0;
  while (rest.length > 0) {
    const open = rest.indexOf("{{");
    if (open < 0) {
      parts.push({ kind: "text", text: rest });
      break;
    }
    if (open > 0) parts.push({ kind: "text", text: rest.slice(0, open) });
    const close = rest.indexOf("}}", open + 2);
    const holeStart = consumed + open;
    if (close < 0) {
      throw new CharterError(
        `the message has \`{{\` without a closing \`}}\`: ${JSON.stringify(template.slice(holeStart, holeStart + 30))}`,
        locate(site, template, holeStart),
        "close the hole with }}, e.g. {{c.name}}",
      );
    }
    const source = rest.slice(open + 2, close).trim();
    const whole = rest.slice(open, close + 2);
    const at = locate(site, template, holeStart);
    const holeCtx: LowerContext = {
      ...ctx,
      scope: bound,
      explainUnbound: (name) =>
        `${whole}: ${name} is not bound by an \`any\` at the top of the condition` +
        (bound.length ? ` (the message may use ${bound.map((v) => `\`${v}\``).join(", ")})` : ""),
    };
    const exact = at.line !== undefined && at.column !== undefined;
    let expr: Expr;
    try {
      const lead = source.length ? rest.slice(open + 2).indexOf(source[0] as string) : 0;
      const startsAt = exact
        ? [{ line: at.line as number, column: (at.column as number) + 2 + lead }]
        : undefined;
      const parsed = parseParts([source], "hole", exact && site ? site : undefined, startsAt);
      expr = new TemplateLowering(parsed, []).lower(holeCtx);
    } catch (error) {
      if (!(error instanceof CharterError)) throw error;
      const message = error.message.startsWith(whole)
        ? error.message
        : `${whole}: ${error.message}`;
      throw new CharterError(message, exact ? error.location : at, error.hint);
    }
    parts.push({ kind: "hole", expr, source });
    consumed += close + 2;
    rest = rest.slice(close + 2);
  }
  return { template, parts };
}

/** Where a message's character sits in the policy file, when the text can be found there. */
function locate(
  site: CallSite | undefined,
  template: string,
  offset: number,
): { file?: string; line?: number; column?: number } {
  if (!site) return {};
  // The spec is usually written inside the policy() call, so look there first.
  const found =
    findInSource(site.file, site.line, template) ?? findInSource(site.file, 1, template);
  if (!found) return { file: site.file, line: site.line };
  const before = template.slice(0, offset).split("\n");
  return before.length === 1
    ? { file: site.file, line: found.line, column: found.column + offset }
    : {
        file: site.file,
        line: found.line + before.length - 1,
        column: (before.at(-1) as string).length + 1,
      };
}
