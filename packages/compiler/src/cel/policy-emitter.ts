/**
 * `emitCelPolicy`: one policy as the CEL the CEL-based targets share — variables for the pod
 * view, match conditions for what kinds cannot say, and one validation per rule whose
 * messageExpression gives exactly the IR message of the first witness.
 */
import {
  type Expr,
  type Json,
  type Message,
  POD_CONTROLLERS,
  type Policy,
  type Rule,
  readsNamespace,
  type Segment,
  staticMessage,
  type WitnessStep,
  witnessChain,
} from "@charter/ir";
import { NO_REGISTRY, refuseImageRules } from "../images/refuse-image-rules.js";
import { admissionOf, celSubject } from "./admission-request.js";
import { name } from "./cel-expr.js";
import type { CelValue } from "./cel-value.js";
import { celString } from "./escape.js";
import { CelExprEmitter, type Roots, type Scope } from "./expr-emitter.js";
import { labelSelectorTests } from "./label-selector.js";
import { printCel } from "./print-cel.js";
import { safePath } from "./safe-path.js";
import type {
  CelMatchCondition,
  CelOptions,
  CelPolicy,
  CelValidation,
  CelVariable,
} from "./types.js";

/** Match condition names (qualified names, as VAP requires). */
export const NAMESPACE_CONDITION = "charter-namespace-selected";
export const POD_TEMPLATE_CONDITION = "charter-has-pod-template";
export const LABELS_CONDITION = "charter-labels-selected";

/** A path's value, or the guarded CEL `null` when it does not resolve. */
function at(base: string, path: readonly Segment[]): string {
  return printCel(safePath(name(base), path).expr);
}

/**
 * Where the pod view comes from: the Pod itself, or the controller's template. Kinds and
 * groups are already matched (matchConstraints), so the kind alone picks the template path.
 */
function podTemplate(object: string, controllers: boolean): string {
  if (!controllers) return object;
  const kind = at(object, ["kind"]);
  const cronJob = POD_CONTROLLERS.find((c) => c.kind === "CronJob");
  const others = new Set(
    POD_CONTROLLERS.filter((c) => c !== cronJob).map((c) => c.template.join(".")),
  );
  if (!cronJob || others.size !== 1) throw new Error("pod controllers changed: update podTemplate");
  const [templatePath] = POD_CONTROLLERS.filter((c) => c !== cronJob).map((c) => c.template);
  return `[${kind}].map(kind, kind == "Pod" ? ${object} : kind == "CronJob" ? (${at(object, cronJob.template)}) : (${at(object, templatePath as readonly Segment[])}))[0]`;
}

/**
 * The images of one container list of the pod view (`containers`, `initContainers` or
 * `ephemeralContainers`), in order: the `image` fields that are strings — the references as
 * written. Never an error, and reads no variable: for a target's own image extractors (Kyverno's
 * ImageValidatingPolicy `images`, compiled before the policy's variables).
 */
export function podImagesCel(policy: Policy, options: CelOptions, list: string): string {
  const controllers = policy.match.subject === "pod" && policy.match.controllers;
  const template = podTemplate(celSubject(policy, options), controllers);
  const items = `t.spec.${list}`;
  const images = `${items}.filter(c, type(c) == map && has(c.image) && type(c.image) == string).map(c, c.image)`;
  return `[${template}].map(t, type(t) == map && has(t.spec) && type(t.spec) == map && has(${items}) && type(${items}) == list ? ${images} : [])[0]`;
}

/** `{metadata, spec}` of a template object, keeping exactly the keys it has. */
function podView(template: string): string {
  const m = `has(${template}.metadata)`;
  const s = `has(${template}.spec)`;
  const both = `{"metadata": ${template}.metadata, "spec": ${template}.spec}`;
  return `type(${template}) != map ? null : ${m} && ${s} ? dyn(${both}) : ${m} ? dyn({"metadata": ${template}.metadata}) : ${s} ? dyn({"spec": ${template}.spec}) : dyn({})`;
}

/** spec.containers ++ spec.initContainers ++ spec.ephemeralContainers; missing lists add nothing. */
function containersOf(pod: string): string {
  const list = (name: string) =>
    `(has(spec.${name}) && type(spec.${name}) == list ? spec.${name} : [])`;
  const lists = ["containers", "initContainers", "ephemeralContainers"].map(list).join(" + ");
  return `type(${pod}) != map ? null : [has(${pod}.spec) && type(${pod}.spec) == map ? ${pod}.spec : {}].map(spec, dyn(${lists}))[0]`;
}

function namespaceCondition(policy: Policy, object: string): CelMatchCondition | undefined {
  const include = policy.match.namespaces?.include ?? [];
  const exclude = policy.match.namespaces?.exclude ?? [];
  if (include.length === 0 && exclude.length === 0) return undefined;
  const list = (names: readonly string[]) => `[${names.map(celString).join(", ")}]`;
  const tests = [
    ...(include.length > 0 ? [`ns in ${list(include)}`] : []),
    ...(exclude.length > 0 ? [`!(ns in ${list(exclude)})`] : []),
  ];
  // An object without a namespace (cluster-scoped, or not yet placed) passes the filter.
  return {
    name: NAMESPACE_CONDITION,
    expression: `[${at(object, ["metadata", "namespace"])}].map(ns, type(ns) != string || ns == "" || (${tests.join(" && ")}))[0]`,
  };
}

/** The label selector on the object's own labels (semantics: ./label-selector.ts). */
function labelsCondition(policy: Policy, object: string): CelMatchCondition | undefined {
  const tests = labelSelectorTests(policy.match.labels, "labels");
  if (tests.length === 0) return undefined;
  return {
    name: LABELS_CONDITION,
    expression: `[${at(object, ["metadata", "labels"])}].map(labels, ${tests.join(" && ")})[0]`,
  };
}

/**
 * How a hole's value reads in a message (IR: a string as itself, missing as "", a number or
 * boolean as its JSON text, a list as "[...]", an object as "{...}"). Line feeds become spaces
 * here, as the IR finishes a message: the API server refuses a message with a line break.
 */
function render(value: CelValue, emitter: CelExprEmitter): string {
  if (value.literal) {
    const v = value.literal.value;
    if (v === null) return '""';
    if (typeof v === "string") return celString(v.replaceAll("\n", " "));
    if (Array.isArray(v)) return celString("[...]");
    if (typeof v === "object") return celString("{...}");
    return celString(JSON.stringify(v));
  }
  const h = emitter.fresh("hole");
  return `[${printCel(value.expr)}].map(${h}, ${h} == null ? "" : type(${h}) == string ? string(${h}).replace("\\n", " ") : type(${h}) == list ? "[...]" : type(${h}) == map ? "{...}" : type(${h}) == bool ? (${h} ? "true" : "false") : string(${h}))[0]`;
}

function messageText(message: Message, scope: Scope, emitter: CelExprEmitter): string {
  const parts = message.parts.map((part) =>
    part.kind === "text"
      ? celString(part.text.replaceAll("\n", " "))
      : render(emitter.value(part.expr, scope), emitter),
  );
  return parts.length === 0 ? '""' : parts.join(" + ");
}

/**
 * The static message: readable text, the template's holes in words, on one line
 * (`staticMessage` of @charter/ir). The server trims a messageExpression's result and shows
 * this message instead when the result is then empty or over 5 KiB (or the expression fails) —
 * exactly how the IR finishes a message (packages/ir/src/policy.ts).
 */
function staticMessageOf(rule: Rule): string {
  return staticMessage(rule.message);
}

/**
 * The message of the first witness in document order: for each `any` binding of the witness
 * chain, the first element for which the rest of the chain holds, bound with
 * `[first].map(x, …)[0]`; then the template over the bound variables.
 */
function messageExpression(rule: Rule, emitter: CelExprEmitter): string {
  const steps = witnessChain(rule.condition);
  const rest = (from: number, scope: Scope) =>
    emitter.condition(chainAsAnd(steps.slice(from)), scope);
  const build = (from: number, scope: Scope): string => {
    for (let i = from; i < steps.length; i++) {
      const step = steps[i];
      if (step?.kind !== "bind") continue;
      const variable = emitter.fresh(step.variable);
      const inner = new Map(scope).set(step.variable, variable);
      const collection = emitter.value(step.collection, scope);
      // The witness exists (the condition holds), so the collection is a list here.
      const witnesses = `dyn(${printCel(collection.expr)}).filter(${variable}, ${rest(i + 1, inner)})`;
      return `[${collection.keysOf ? smallest(witnesses, emitter) : `${witnesses}[0]`}].map(${variable}, ${build(i + 1, inner)})[0]`;
    }
    return messageText(rule.message, scope, emitter);
  };
  return build(0, new Map());
}

/**
 * The first of the witness keys of a `keys(m)` binding: CEL lists a map's keys in the map's
 * order (random on the API server), the IR in code point order, so take the smallest key
 * (strings compare by code point in CEL). Quadratic in the witnesses, which are keys of one
 * object; `min()` would do in one pass but is not in every CEL evaluator Charter runs.
 */
function smallest(witnesses: string, emitter: CelExprEmitter): string {
  const list = emitter.fresh("w");
  const x = emitter.fresh("x");
  const y = emitter.fresh("y");
  return `[${witnesses}].map(${list}, ${list}.filter(${x}, ${list}.all(${y}, ${x} <= ${y}))[0])[0]`;
}

/** The witness chain from some step on, as one condition. */
function chainAsAnd(steps: readonly WitnessStep[]): Expr {
  const [first, ...others] = steps;
  if (first === undefined) return { kind: "literal", value: true };
  if (first.kind === "bind") {
    return {
      kind: "quantifier",
      quantifier: "any",
      variable: first.variable,
      collection: first.collection,
      body: chainAsAnd(others),
    };
  }
  return others.length === 0 ? first.expr : { kind: "and", args: [first.expr, chainAsAnd(others)] };
}

/**
 * A rule reading the Namespace holds when there is none (namespaceObject is null for a
 * cluster-scoped resource): the IR skips such a rule, and a skip is not a denial.
 */
function namespaceGuard(
  namespace: string | { readonly unsupported: string },
  holds: string,
): string {
  if (typeof namespace !== "string") return holds; // the emitter has refused the rule already
  return holds === "true" ? "true" : `${namespace} == null || ${holds}`;
}

/** The CEL names of the roots an IR expression of `policy` reads. */
function rootsOf(policy: Policy, options: CelOptions, object: string): Roots {
  const variable = (name: string) => `variables.${options.variablePrefix ?? ""}${name}`;
  const isPod = policy.match.subject === "pod";
  return {
    object,
    params:
      options.params === "inline"
        ? { inline: policy.parameters.values as Json }
        : { expression: options.params.expression },
    ...(isPod ? { pod: variable("pod"), containers: variable("containers") } : {}),
    target: options.target ?? "cel",
    namespace: options.namespaceObject ?? "namespaceObject",
    admission: admissionOf(options),
  };
}

/** The CEL of one policy. Throws CharterError for a construct CEL cannot express. */
export function emitCelPolicy(policy: Policy, options: CelOptions): CelPolicy {
  if (options.imageRules !== "judged-by-target") {
    refuseImageRules(policy, options.target ?? "cel", NO_REGISTRY);
  }
  const prefix = options.variablePrefix ?? "";
  const variable = (name: string) => `variables.${prefix}${name}`;
  // On a DELETE the judged object is the one being deleted (admission-request.ts).
  const object = celSubject(policy, options);
  const variables: CelVariable[] = [];
  const matchConditions: CelMatchCondition[] = [];
  const isPod = policy.match.subject === "pod";
  if (isPod) {
    const controllers = policy.match.subject === "pod" && policy.match.controllers;
    variables.push(
      { name: `${prefix}podTemplate`, expression: podTemplate(object, controllers) },
      { name: `${prefix}pod`, expression: podView(variable("podTemplate")) },
      { name: `${prefix}containers`, expression: containersOf(variable("pod")) },
    );
  }
  const namespace = namespaceCondition(policy, object);
  if (namespace) matchConditions.push(namespace);
  const labels = labelsCondition(policy, object);
  if (labels) matchConditions.push(labels);
  if (isPod && policy.match.subject === "pod" && policy.match.controllers) {
    // A controller without a pod template object is not judged (engines report "skip").
    // Match conditions cannot read variables, so the template is computed here again.
    matchConditions.push({
      name: POD_TEMPLATE_CONDITION,
      expression: `type(${podTemplate(object, true)}) == map`,
    });
  }
  const roots = rootsOf(policy, options, object);
  const emitter = new CelExprEmitter(policy, roots);
  const validations: CelValidation[] = policy.rules.map((rule) => {
    emitter.beginRule(rule);
    const condition = emitter.condition(rule.condition, new Map());
    const holds =
      condition === "true" ? "false" : condition === "false" ? "true" : `!(${condition})`;
    return {
      rule: rule.name,
      expression: readsNamespace(rule) ? namespaceGuard(roots.namespace, holds) : holds,
      messageExpression: messageExpression(rule, emitter),
      message: staticMessageOf(rule),
    };
  });
  return { variables, matchConditions, validations };
}

/**
 * One IR condition of `policy` as a CEL bool that never errors, with IR variables bound to CEL
 * names (`bindings`: IR name → CEL name, each a plain name in scope where the CEL is used) — an
 * image requirement's condition over `predicate`, for a target that binds the predicate itself.
 * `rule` names the requirement in compile errors. Reads the same roots as the policy's rules
 * (`variables.pod`, `variables.containers` of `emitCelPolicy` with the same options).
 */
export function emitCelCondition(
  policy: Policy,
  options: CelOptions,
  rule: Rule,
  bindings: ReadonlyMap<string, string>,
): string {
  const emitter = new CelExprEmitter(policy, rootsOf(policy, options, celSubject(policy, options)));
  emitter.beginRule(rule);
  return emitter.condition(rule.condition, bindings);
}
