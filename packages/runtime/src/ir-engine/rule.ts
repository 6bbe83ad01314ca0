/**
 * A rule compiled for the IR engine: its condition as a witness chain (packages/ir/src/witness.ts)
 * of compiled tests and bindings, and its message template as compiled holes.
 *
 * Judging a resource enumerates every witness — every choice of `any` bindings that makes the
 * condition hold — in document order (outer loop first, elements in index order). The rule
 * fails when there is at least one; each witness renders one message, identical messages are
 * kept once (first occurrence), and the report's `message` is the first.
 */
import { type Message, type Rule, staticMessage, witnessChain } from "@charter/ir";
import { renderValue } from "../value.js";
import { compileTest, compileValue, type Scope, type TestFn, type ValueFn } from "./compile.js";
import { type EvalInput, Frame } from "./frame.js";
import { finishMessage } from "./message.js";

export interface RuleVerdict {
  readonly fails: boolean;
  /** One per distinct witness message, in document order; empty when the rule passes. */
  readonly messages: readonly string[];
}

export interface CompiledRule {
  readonly name: string;
  judge(input: EvalInput): RuleVerdict;
}

/** Continues the chain in a frame; returns true to stop the enumeration. */
type Continue = (frame: Frame, found: (frame: Frame) => boolean) => boolean;

function compileMessage(message: Message, scope: Scope): (frame: Frame) => string {
  const parts = message.parts.map((part): ((frame: Frame) => string) => {
    if (part.kind === "text") return () => part.text;
    const value: ValueFn = compileValue(part.expr, scope);
    return (frame) => renderValue(value(frame));
  });
  const fallback = staticMessage(message);
  return (frame) => {
    let text = "";
    for (const part of parts) text += part(frame);
    return finishMessage(text, fallback);
  };
}

export function compileRule(rule: Rule, scope: Scope): CompiledRule {
  // Forward pass: each step sees the variables bound before it.
  type Step = { kind: "test"; test: TestFn } | { kind: "bind"; slot: number; items: ValueFn };
  const steps: Step[] = [];
  let current = scope;
  for (const step of witnessChain(rule.condition)) {
    if (step.kind === "test") {
      steps.push({ kind: "test", test: compileTest(step.expr, current) });
    } else {
      const items = compileValue(step.collection, current);
      const bound = current.bind(step.variable);
      current = bound.scope;
      steps.push({ kind: "bind", slot: bound.slot, items });
    }
  }
  const render = compileMessage(rule.message, current);

  // Backward pass: chain the steps into one closure, innermost first.
  let run: Continue = (frame, found) => found(frame);
  for (const step of [...steps].reverse()) {
    const next = run;
    if (step.kind === "test") {
      const { test } = step;
      run = (frame, found) => test(frame) && next(frame, found);
    } else {
      const { slot, items } = step;
      run = (frame, found) => {
        const list = items(frame);
        if (!Array.isArray(list)) return false; // `any` over a missing or non-list is false
        for (const item of list) {
          frame.vars[slot] = item;
          if (next(frame, found)) return true;
        }
        return false;
      };
    }
  }

  return {
    name: rule.name,
    judge(input) {
      const messages: string[] = [];
      const seen = new Set<string>();
      run(new Frame(input), (frame) => {
        const text = render(frame);
        if (!seen.has(text)) {
          seen.add(text);
          messages.push(text);
        }
        return false; // keep going: every witness gives a message
      });
      return { fails: messages.length > 0, messages };
    },
  };
}
