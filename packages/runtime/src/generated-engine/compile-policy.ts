/**
 * A policy compiled to generated code, in the shape the shared row builder
 * (ir-engine/evaluate.ts: matching, skips, Namespace lookups, image rules, rows) judges with.
 * Only the rules' conditions and messages differ from the closure engine: here they run as
 * generated source.
 */
import { CharterError, type Policy } from "@charter/ir";
import { compileImageRules } from "../images/judge-images.js";
import type { CompiledPolicy } from "../ir-engine/evaluate.js";
import { instantiate, policySource, RuleGenerateError } from "./policy-function.js";

/**
 * Generates and loads one policy's function. IR it cannot run (an unbound variable, a literal
 * pattern RE2 rejects) is the policy's fault: a CharterError naming the policy and the rule,
 * worded as the closure engine words it.
 */
export function compileGeneratedPolicy(
  policy: Policy,
  systemNamespaces: readonly string[] = [],
): CompiledPolicy {
  let source: string;
  try {
    source = policySource(policy);
  } catch (error) {
    if (!(error instanceof RuleGenerateError)) throw error;
    throw new CharterError(
      `policy "${policy.name}", rule "${error.rule}": ${error.reason}`,
      policy.source ?? {},
      "fix the rule's condition or message and build again",
    );
  }
  const functions = instantiate(source);
  const rules = policy.rules.map((rule, index) => {
    const judgeRule = functions[index];
    if (judgeRule === undefined) throw new Error(`no generated function for rule ${rule.name}`);
    return {
      name: rule.name,
      judge: (input: unknown) => {
        const messages = judgeRule(input);
        return { fails: messages.length > 0, messages };
      },
    };
  });
  const images = compileImageRules(policy);
  return { policy, rules, systemNamespaces, ...(images ? { images } : {}) };
}
