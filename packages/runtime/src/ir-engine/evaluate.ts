/**
 * Judges resources with compiled policies and turns verdicts into report rows (Findings):
 * one per (resource, policy, rule) for every policy that applies, in resource order, then
 * policy order, then rule order.
 */
import { CharterError, type Json, type Policy, ruleNamesOf } from "@charter/ir";
import { findingOf } from "../finding.js";
import { identityOf } from "../identity.js";
import { type CompiledImageRules, compileImageRules } from "../images/judge-images.js";
import type { InventoryIndex } from "../inventory/inventory-index.js";
import { inventoriesOf, namespaceObjectOf, ruleReadsNamespace } from "../inventory/judged-with.js";
import { podView, policyApplies, skipReasonOf } from "../match.js";
import { operationOf, requestValueOf } from "../request-value.js";
import type { Finding, Resource, ResourceIdentity, Result } from "../types.js";
import { IrCompileError, Scope } from "./compile.js";
import type { EvalInput } from "./frame.js";
import { type CompiledRule, compileRule } from "./rule.js";

export interface CompiledPolicy {
  readonly policy: Policy;
  readonly rules: readonly CompiledRule[];
  /** The policy's image rules (packages/ir README, item 18), if it has any. */
  readonly images?: CompiledImageRules;
  /** The policy set's system namespaces (packages/ir/src/system-namespaces.ts); none if empty. */
  readonly systemNamespaces: readonly string[];
}

/**
 * Compiles every rule of a policy. IR the engine cannot run (an unbound variable, a literal
 * pattern RE2 rejects) is the policy's fault: a CharterError naming the policy and the rule.
 */
export function compilePolicy(
  policy: Policy,
  systemNamespaces: readonly string[] = [],
): CompiledPolicy {
  const rules = policy.rules.map((rule) => {
    try {
      return compileRule(rule, Scope.empty());
    } catch (error) {
      if (!(error instanceof IrCompileError)) throw error;
      throw new CharterError(
        `policy "${policy.name}", rule "${rule.name}": ${error.message}`,
        policy.source ?? {},
        "fix the rule's condition or message and build again",
      );
    }
  });
  const images = compileImageRules(policy);
  return { policy, rules, systemNamespaces, ...(images ? { images } : {}) };
}

function row(
  compiled: CompiledPolicy,
  rule: string,
  result: Result,
  messages: readonly string[],
  resource: Resource,
  identity: ResourceIdentity,
  resourceIndex: number,
): Finding {
  return findingOf(
    { policy: compiled.policy, resource, identity, resourceIndex },
    rule,
    result,
    messages,
  );
}

/**
 * The resource's pod view, made the first time a pod policy asks and then shared by every
 * policy judging that resource (rules only read it).
 */
export function podViewOnce(object: Json): () => Json | undefined {
  let made = false;
  let view: Json | undefined;
  return () => {
    if (!made) {
      view = podView(object) as Json | undefined;
      made = true;
    }
    return view;
  };
}

/**
 * The findings of one policy on one resource (none when the policy does not apply);
 * `inventory` is the scanned set cross-resource rules read; `podOf` gives the pod view.
 */
export function evaluatePolicy(
  compiled: CompiledPolicy,
  resource: Resource,
  resourceIndex: number,
  identity: ResourceIdentity = identityOf(resource.object),
  inventory: InventoryIndex | undefined = resource.inventory,
  podOf: () => Json | undefined = podViewOnce(resource.object),
): Finding[] {
  const { policy, systemNamespaces } = compiled;
  const applies = policyApplies(policy, resource.object, systemNamespaces, operationOf(resource));
  if (applies === "no") return [];
  const emit = (rule: string, result: Result, messages: readonly string[]) =>
    row(compiled, rule, result, messages, resource, identity, resourceIndex);
  if (applies === "skip" || applies === "system") {
    const reason = [skipReasonOf(applies, resource.object, identity, systemNamespaces)];
    return ruleNamesOf(policy).map((rule) => emit(rule, "skip", reason));
  }
  const pod = policy.match.subject === "pod" ? podOf() : undefined;
  return judgeRules(compiled, { resource, pod, resourceIndex, identity, inventory });
}

/** A resource a policy applies to, as its rules read it. */
export interface Subject {
  /** The resource; a scan may keep only the parts the rules read (see projection.ts). */
  readonly resource: Resource;
  /** Its pod view, for policies matching `pod`. */
  readonly pod: Json | undefined;
  readonly resourceIndex: number;
  readonly identity: ResourceIdentity;
  /** The scanned set cross-resource rules read. */
  readonly inventory: InventoryIndex | undefined;
}

/** Every rule of a policy that applies, judged: one row each. */
export function judgeRules(compiled: CompiledPolicy, subject: Subject): Finding[] {
  const { policy } = compiled;
  const { resource, pod, resourceIndex, identity, inventory } = subject;
  const emit = (rule: string, result: Result, messages: readonly string[]) =>
    row(compiled, rule, result, messages, resource, identity, resourceIndex);
  const namespace = policy.rules.some(ruleReadsNamespace)
    ? namespaceObjectOf(resource.object, identity, inventory)
    : undefined;
  // Assigned, not spread: this runs for every policy on every resource.
  const input: { -readonly [K in keyof EvalInput]: EvalInput[K] } = {
    object: resource.object,
    params: policy.parameters.values,
    request: requestValueOf(resource),
  };
  if (pod !== undefined) input.pod = pod;
  if (namespace && "namespaceObject" in namespace)
    input.namespaceObject = namespace.namespaceObject;
  if (inventory) input.inventory = inventory;
  const rows = compiled.rules.map((rule, index) => {
    const source = policy.rules[index] as (typeof policy.rules)[number];
    if (namespace && "skip" in namespace && ruleReadsNamespace(source)) {
      return emit(rule.name, "skip", [namespace.skip]);
    }
    try {
      const verdict = rule.judge(input);
      return emit(rule.name, verdict.fails ? "fail" : "pass", verdict.messages);
    } catch (error) {
      // Evaluation must never take the scan down (a stack overflow on absurdly deep data…).
      const reason = error instanceof Error ? error.message : String(error);
      return emit(rule.name, "error", [`evaluation failed: ${reason}`]);
    }
  });
  if (compiled.images) {
    for (const verdict of compiled.images.judge(pod, resource.images)) {
      rows.push(emit(verdict.rule, verdict.result, verdict.messages));
    }
  }
  return rows;
}

/** Every compiled policy against every resource. */
export function evaluateAll(
  policies: readonly CompiledPolicy[],
  resources: readonly Resource[],
): Finding[] {
  const findings: Finding[] = [];
  const inventories = inventoriesOf(
    policies.map((compiled) => compiled.policy),
    resources,
  );
  resources.forEach((resource, index) => {
    const identity = identityOf(resource.object);
    const podOf = podViewOnce(resource.object);
    for (const compiled of policies) {
      const rows = evaluatePolicy(compiled, resource, index, identity, inventories[index], podOf);
      for (const row of rows) findings.push(row);
    }
  });
  return findings;
}
