/**
 * A policy as one generated JavaScript function: its constants (list and object literals,
 * compiled RE2 patterns) made once, and one inner function per rule. `new Function` receives
 * the runtime (runtime.ts) as parameters, so the source refers to nothing else.
 */
import type { Policy } from "@charter/ir";
import { type ExprContext, GenerateError } from "./expr-source.js";
import { ruleSource } from "./rule-source.js";
import { GENERATED_RUNTIME, type RuntimeName } from "./runtime.js";
import { SourceWriter } from "./source-writer.js";

/** A rule's generated function: the distinct messages of its witnesses, none if it passes. */
export type GeneratedRule = (input: unknown) => string[];

/** One rule's source could not be generated; names the rule for the error. */
export class RuleGenerateError extends Error {
  override readonly name = "RuleGenerateError";
  constructor(
    readonly rule: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const RUNTIME_NAMES = Object.keys(GENERATED_RUNTIME) as RuntimeName[];

/**
 * The body of the policy's function: `"use strict"`, its constants, and
 * `return [rule0, rule1, …]` in the policy's rule order.
 */
export function policySource(policy: Policy): string {
  const constants = new SourceWriter();
  const hoisted = new Map<string, string>();
  const hoist = (prefix: string, init: string) => {
    const known = hoisted.get(init);
    if (known !== undefined) return known;
    const name = constants.name(prefix);
    constants.line(`const ${name} = ${init};`);
    hoisted.set(init, name);
    return name;
  };
  const rules = policy.rules.map((rule) => {
    const cx: ExprContext = { w: constants.sibling(), hoist, vars: new Map() };
    try {
      return ruleSource(rule, cx);
    } catch (error) {
      if (error instanceof GenerateError) throw new RuleGenerateError(rule.name, error.message);
      throw error;
    }
  });
  return ['"use strict";', constants.toString(), `return [\n${rules.join(",\n")}\n];`].join("\n");
}

/** Makes the policy's rule functions from its source. */
export function instantiate(source: string): GeneratedRule[] {
  // The generated evaluator's one eval: every string in `source` went through jsString.
  const make = new Function(...RUNTIME_NAMES, source) as (...runtime: unknown[]) => GeneratedRule[];
  return make(...RUNTIME_NAMES.map((name) => GENERATED_RUNTIME[name]));
}
