/**
 * One rule as a generated function `(input) => messages`: its witness chain
 * (packages/ir/src/witness.ts) as nested `if`s and `for`s, and at the innermost point the
 * message of that witness. Every witness is enumerated in document order (outer loop first,
 * elements in index order); each distinct message is kept once, first occurrence first. The
 * rule fails exactly when the list is not empty.
 */
import { type Rule, staticMessage, type WitnessStep, witnessChain } from "@charter/ir";
import { type ExprContext, testSource, valueSource } from "./expr-source.js";
import { jsString } from "./js-literal.js";

function writeMessage(rule: Rule, cx: ExprContext): void {
  const { w } = cx;
  const parts = rule.message.parts.map((part) =>
    part.kind === "text" ? jsString(part.text) : `renderValue(${valueSource(part.expr, cx)})`,
  );
  const m = w.name("m");
  const text = parts.length === 0 ? '""' : parts.join(" + ");
  w.line(`const ${m} = finishMessage(${text}, ${jsString(staticMessage(rule.message))});`);
  // Most rules have one witness: the set of seen messages is made only for a second one.
  w.line(`if (messages.length === 0) messages.push(${m});`);
  w.line(
    `else if (!(seen ??= new Set(messages)).has(${m})) { seen.add(${m}); messages.push(${m}); }`,
  );
}

function writeChain(rule: Rule, steps: readonly WitnessStep[], cx: ExprContext): void {
  const [step, ...rest] = steps;
  if (step === undefined) {
    writeMessage(rule, cx);
    return;
  }
  const { w } = cx;
  if (step.kind === "test") {
    w.block(`if (${testSource(step.expr, cx)})`, () => writeChain(rule, rest, cx));
    return;
  }
  const items = valueSource(step.collection, cx);
  const item = w.name("x");
  const inner: ExprContext = { ...cx, vars: new Map(cx.vars).set(step.variable, item) };
  // `any` over a missing or non-list collection has no witness.
  w.block(`if (isArray(${items}))`, () => {
    w.block(`for (const ${item} of ${items})`, () => writeChain(rule, rest, inner));
  });
}

/** The source of `function (input) { … return messages; }` for one rule. */
export function ruleSource(rule: Rule, cx: ExprContext): string {
  const { w } = cx;
  w.block("function (input)", () => {
    w.line("const $object = input.object;");
    w.line("const $pod = input.pod;");
    w.line("const $params = input.params;");
    w.line("const $namespace = input.namespaceObject;");
    w.line("const $request = input.request ?? OFFLINE_REQUEST;");
    w.line("let $containers;");
    w.line("const messages = [];");
    w.line("let seen;");
    writeChain(rule, witnessChain(rule.condition), cx);
    w.line("return messages;");
  });
  return w.toString();
}
