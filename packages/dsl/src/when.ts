/**
 * `when`: a condition written in the condition language as a tagged template.
 *
 * ### Examples
 * ```ts
 * when`any c in pod.containers: c.securityContext.privileged == true`
 * // IR: {kind:"quantifier", quantifier:"any", variable:"c",
 * //      collection:{kind:"ref", root:{kind:"containers"}, path:[]},
 * //      body:{kind:"compare", op:"==", left:{kind:"ref", root:{kind:"var", name:"c"},
 * //            path:["securityContext","privileged"]}, right:{kind:"literal", value:true}}}
 * ```
 * `${value}` interpolates a JSON literal or a builder value/condition, never text.
 * Parsing is lazy: errors surface when `policy()` (or `toIR()`) lowers the condition, so they
 * can name the policy and rule.
 */

import { Cond } from "./builder.js";
import { callSite } from "./callsite.js";
import { TemplateLowering } from "./template/cst-to-ir.js";
import { parseTemplate } from "./template/parse-template.js";

export function when(strings: TemplateStringsArray, ...values: unknown[]): Cond {
  const site = callSite(when);
  const location = site ? { file: site.file, line: site.line, column: site.column } : {};
  return new Cond(
    (ctx) => new TemplateLowering(parseTemplate(strings, site), values).lower(ctx),
    location,
  );
}
