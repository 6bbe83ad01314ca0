/**
 * One policy package: its parameters, whether it applies to `input`, its findings (one per
 * witness, with the witness's element indices so engines can order messages by document
 * order) and its violations (the findings without witnesses, with the policy's metadata).
 */
import {
  type Match,
  type Message,
  type Policy,
  type Rule,
  readsNamespace,
  staticMessage,
  witnessChain,
} from "@charter/ir";
import { NO_REGISTRY, refuseImageRules } from "../images/refuse-image-rules.js";
import { operationTest } from "./admission-input.js";
import { regoString } from "./escape.js";
import { ExprEmitter, type Scope } from "./expr-emitter.js";
import { regoPackageName } from "./names.js";
import { regoTerm } from "./terms.js";

function block(head: string, body: readonly string[]): string {
  return `${head} if {\n${body.map((line) => `\t${line}\n`).join("")}}`;
}

function kindPair(group: string, kind: string): string {
  return `[${regoString(group)}, ${regoString(kind)}]`;
}

function stringSet(values: readonly string[]): string {
  return `[${[...values].map(regoString).join(", ")}]`;
}

/**
 * What a target changes in a policy package; every default is the Rego target's. Gatekeeper
 * reads the object at `input.review.object`, its parameters from `input.parameters`, and
 * its lib below `data.lib`.
 */
export interface PolicyOptions {
  /** The package clause's path. */
  readonly packageName?: string;
  /** The import that binds `lib`. */
  readonly libImport?: string;
  /** The Rego reference of the object under review. */
  readonly object?: string;
  /** The term the `params` rule is bound to (default `data.charter.params["<policy name>"]`). */
  readonly params?: string;
  /** The target errors name. */
  readonly target?: string;
  /** Replaces the `violations` rule (the findings as the target reports them). */
  readonly violations?: string;
  /** The Rego reference of the exceptions list (default `data.charter.exceptions`). */
  readonly exceptions?: string;
  /**
   * Whether `applies` leaves out objects in a system namespace (`lib.in_system_namespace`);
   * default true. Gatekeeper: false, its Constraint's `excludedNamespaces` says it.
   */
  readonly systemNamespaces?: boolean;
}

/**
 * The exceptions that excuse the object from a rule of this policy, by name in order; and
 * `excused`, those names per rule, for engines to report (a covered row is a skip).
 */
function exceptionRules(policy: Policy, exceptions: string): string {
  const rules = `{${policy.rules.map((rule) => regoString(rule.name)).join(", ")}}`;
  return `# The exceptions in force that excuse the object from a rule (packages/ir/src/exception.ts).
excused_by(rule) := [e.name | some e in ${exceptions}; e.policy == ${regoString(policy.name)}; lib.exception_covers(e, rule)]

excused := {rule: names | some rule in ${rules}; names := excused_by(rule); count(names) > 0}`;
}

/**
 * The label selector's tests on the object's own labels (IR LabelSelector). `lib.at` gives
 * null for a label that is absent or null, or when the labels are not an object, so every
 * test is defined and `not` negates exactly.
 */
function labelTests(match: Match, object: string): string[] {
  const selector = match.labels;
  if (selector === undefined) return [];
  const label = (key: string) => `lib.at(${object}, ${regoTerm(["metadata", "labels", key])})`;
  const set = (values: readonly string[]) => `{${values.map(regoString).join(", ")}}`;
  return [
    ...Object.entries(selector.matchLabels ?? {}).map(
      ([key, value]) => `${label(key)} == ${regoString(value)}`,
    ),
    ...(selector.matchExpressions ?? []).map((r) => {
      if (r.operator === "In") return `${label(r.key)} in ${set(r.values)}`;
      if (r.operator === "NotIn") return `not ${label(r.key)} in ${set(r.values)}`;
      return `${label(r.key)} ${r.operator === "Exists" ? "!=" : "=="} null`;
    }),
  ];
}

/**
 * The `applies` rule: the match's kinds, its namespace filter, its label selector, then (unless
 * the target says it elsewhere) not in a system namespace.
 */
function appliesRule(
  match: Match,
  object: string,
  systemNamespaces: boolean,
  operationAlways: boolean,
): string {
  const kindTest =
    match.subject === "pod"
      ? match.controllers
        ? `lib.kind_of(${object}) in lib.pod_kinds`
        : `lib.kind_of(${object}) == ${kindPair("", "Pod")}`
      : `lib.kind_of(${object}) in {${match.kinds.map((k) => kindPair(k.group, k.kind)).join(", ")}}`;
  const include = match.namespaces?.include ?? [];
  const exclude = match.namespaces?.exclude ?? [];
  // A pod controller whose template is not an object has no pod view: nothing to judge.
  const podView = match.subject === "pod" ? ["is_object(lib.pod)"] : [];
  return block("applies", [
    kindTest,
    ...operationTest(match, operationAlways),
    ...podView,
    `lib.namespace_selected(${stringSet(include)}, ${stringSet(exclude)})`,
    ...labelTests(match, object),
    ...(systemNamespaces ? ["not lib.in_system_namespace"] : []),
  ]);
}

function messageTerm(message: Message, emitter: ExprEmitter, scope: Scope): string {
  const parts = message.parts.map((part) =>
    part.kind === "text" ? regoString(part.text) : `lib.render(${emitter.value(part.expr, scope)})`,
  );
  const text =
    parts.length === 0
      ? regoString("")
      : parts.length === 1 && message.parts[0]?.kind === "text"
        ? (parts[0] as string)
        : `concat("", [${parts.join(", ")}])`;
  return `lib.finish_message(${text}, ${regoString(staticMessage(message))})`;
}

/** The findings rule of one Charter rule: one body walking its witness chain. */
function findingsRule(rule: Rule, emitter: ExprEmitter): string {
  emitter.beginRule(rule);
  // A rule reading the Namespace never denies when it is unknown (engines report "skip").
  const body = readsNamespace(rule) ? ["applies", "lib.namespace_object != null"] : ["applies"];
  const indices: string[] = [];
  let scope: Map<string, string> = new Map();
  for (const step of witnessChain(rule.condition)) {
    if (step.kind === "test") {
      body.push(...emitter.condition(step.expr, scope));
      continue;
    }
    const index = emitter.freshIndex();
    const variable = emitter.freshVar(step.variable);
    body.push(`some ${index}, ${variable} in lib.list(${emitter.value(step.collection, scope)})`);
    indices.push(index);
    scope = new Map(scope).set(step.variable, variable);
  }
  body.push(`message := ${messageTerm(rule.message, emitter, scope)}`);
  const head = `findings contains {"rule": ${regoString(rule.name)}, "message": message, "witness": [${indices.join(", ")}]}`;
  return block(head, body);
}

export function emitPolicy(policy: Policy, options: PolicyOptions = {}): string {
  refuseImageRules(policy, options.target ?? "rego", NO_REGISTRY);
  const object = options.object ?? "lib.resource";
  const emitter = new ExprEmitter(policy, object, options.target);
  const findings = policy.rules.map((rule) => findingsRule(rule, emitter));
  const violation = `{"policy": ${regoString(policy.name)}, "rule": finding.rule, "message": finding.message, "severity": ${regoString(policy.severity)}, "enforcement": ${regoString(policy.enforcement)}}`;
  const sections = [
    `# Policy ${regoString(policy.name)}. Generated by Charter; do not edit.\npackage ${options.packageName ?? regoPackageName(policy)}`,
    options.libImport ?? "import data.charter.lib",
    // The values live in charter/data.json, so operators can change them without recompiling.
    `# The parameters in force.\nparams := ${options.params ?? `data.charter.params[${regoString(policy.name)}]`}`,
    "# Whether the policy judges this object.\ndefault applies := false",
    appliesRule(
      policy.match,
      object,
      options.systemNamespaces ?? true,
      (options.target ?? "rego") === "rego",
    ),
    `# One finding per witness; witness holds the element index of each \`any\` binding.\n${findings.join("\n\n")}`,
    options.violations ??
      block(`violations contains ${violation}`, [
        "some finding in findings",
        "count(excused_by(finding.rule)) == 0",
      ]),
    exceptionRules(policy, options.exceptions ?? "data.charter.exceptions"),
    ...emitter.helperRules(),
  ];
  return `${sections.join("\n\n")}\n`;
}
