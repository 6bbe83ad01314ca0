/**
 * The in-process CEL engines `kyverno-cel` and `vap-cel`: each policy's emitted CEL
 * (emitCelPolicy, parameters inlined, the resource as `object`) evaluated with @bufbuild/cel in
 * this process. Kyverno and ValidatingAdmissionPolicy get the same expressions, so both names
 * share this implementation; they must agree with the Kubernetes judge (agreement.test.ts).
 *
 * Which policies apply and who a resource is come from the same functions as the IR and OPA
 * engines (match.ts, identity.ts); so do the Namespace a resource is judged with and which rules
 * are skipped for want of it (inventory/judged-with.ts). The emitted matchConditions must hold on every resource the
 * matcher says the policy judges, or evaluation fails loudly (a bug in charter).
 */
import { type CelPolicy, emitCelPolicy } from "@charter/compiler";
import type { Json, Policy } from "@charter/ir";
import type { JudgeResult } from "../cel-judge-client/protocol.js";
import { judgeRequestOf } from "../cel-judge-engine/judge-request.js";
import { findingOf } from "../finding.js";
import { identityOf } from "../identity.js";
import { inventoriesOf, namespaceObjectOf, ruleReadsNamespace } from "../inventory/index.js";
import { policyApplies, skipReasonOf } from "../match.js";
import { operationOf } from "../request-value.js";
import type { Engine, Finding, Resource, Result } from "../types.js";
import { InProcessBatch } from "./batch.js";

/** What the CEL emitter gives for one policy (@charter/compiler's emitCelPolicy). */
export type EmittedCelPolicy = CelPolicy;

export type EmitCelPolicy = (
  policy: Policy,
  options: { readonly params: "inline"; readonly object: string },
) => EmittedCelPolicy;

export type InProcessCelEngineName = "kyverno-cel" | "vap-cel";

export interface InProcessCelEngineOptions {
  readonly name: InProcessCelEngineName;
  /** The CEL emitter; @charter/compiler's emitCelPolicy when absent (tests hand-write CEL). */
  readonly emit?: EmitCelPolicy;
  /**
   * The policy set's system namespaces: objects in them get skip rows, unjudged (the VAP binding
   * and Kyverno's namespaceSelector leave them out natively, not the CEL). None by default.
   */
  readonly systemNamespaces?: readonly string[];
}

export class CelEngineError extends Error {
  override readonly name = "CelEngineError";
}

/** A policy's validations as a judge batch: one expression per rule, id = rule name. */
export function celBatchOf(emitted: EmittedCelPolicy) {
  return {
    variables: emitted.variables,
    expressions: emitted.validations.map((v) => ({
      id: v.rule,
      expression: v.expression,
      messageExpression: v.messageExpression,
      message: v.message,
    })),
  };
}

/** The finding result and messages of one judge result (shared by every CEL engine). */
export function verdictOf(result: JudgeResult): { result: Result; messages: string[] } {
  if (result.value === true) return { result: "pass", messages: [] };
  if (result.value === false) return { result: "fail", messages: [result.message ?? ""] };
  return { result: "error", messages: [result.error ?? "evaluation failed"] };
}

interface CompiledCelPolicy {
  readonly policy: Policy;
  readonly validations: InProcessBatch;
  readonly matchConditions: InProcessBatch;
}

export function createInProcessCelEngine(
  policies: readonly Policy[],
  options: InProcessCelEngineOptions,
): Engine {
  const emit = options.emit ?? emitCelPolicy;
  const systemNamespaces = options.systemNamespaces ?? [];
  // Emitting up front turns IR that CEL cannot express (`inventory(…)`, …) into a CharterError
  // at creation.
  const compiled: CompiledCelPolicy[] = policies.map((policy) => {
    const emitted = emit(policy, { params: "inline", object: "object" });
    return {
      policy,
      validations: new InProcessBatch(celBatchOf(emitted)),
      matchConditions: new InProcessBatch({
        variables: emitted.variables,
        expressions: emitted.matchConditions.map((m) => ({ id: m.name, expression: m.expression })),
      }),
    };
  });

  async function evaluate(resources: readonly Resource[]): Promise<readonly Finding[]> {
    const findings: Finding[] = [];
    const inventories = inventoriesOf(policies, resources);
    resources.forEach((resource, resourceIndex) => {
      const identity = identityOf(resource.object);
      for (const { policy, validations, matchConditions } of compiled) {
        const applies = policyApplies(
          policy,
          resource.object,
          systemNamespaces,
          operationOf(resource),
        );
        if (applies === "no") continue;
        const row = (rule: string, result: Result, messages: readonly string[]): Finding =>
          findingOf({ policy, resource, identity, resourceIndex }, rule, result, messages);
        if (applies === "skip" || applies === "system") {
          const reason = [skipReasonOf(applies, resource.object, identity, systemNamespaces)];
          for (const rule of policy.rules) findings.push(row(rule.name, "skip", reason));
          continue;
        }
        const namespace = policy.rules.some(ruleReadsNamespace)
          ? namespaceObjectOf(resource.object, identity, inventories[resourceIndex])
          : undefined;
        const { object, oldObject, operation, userInfo } = judgeRequestOf(resource);
        const request = {
          ...(object !== undefined ? { object: object as Json } : {}),
          ...(oldObject !== undefined ? { oldObject: oldObject as Json } : {}),
          request: {
            operation: operation ?? "CREATE",
            ...(userInfo ? { userInfo } : {}),
          } as unknown as Json,
          ...(namespace && "namespaceObject" in namespace
            ? { namespaceObject: namespace.namespaceObject }
            : {}),
        };
        for (const condition of matchConditions.evaluate("match", request)) {
          if (condition.value !== true) {
            throw new CelEngineError(
              `policy "${policy.name}" on resource #${resourceIndex} (${identity.kind} "${identity.name}"): matchCondition "${condition.expression}" gave ${condition.value ?? condition.error} where the matcher says the policy applies; this is a bug in charter; please report it`,
            );
          }
        }
        const byRule = new Map(
          validations.evaluate(String(resourceIndex), request).map((r) => [r.expression, r]),
        );
        for (const rule of policy.rules) {
          if (namespace && "skip" in namespace && ruleReadsNamespace(rule)) {
            findings.push(row(rule.name, "skip", [namespace.skip]));
            continue;
          }
          const result = byRule.get(rule.name);
          if (result === undefined) {
            throw new CelEngineError(
              `policy "${policy.name}": the CEL emitter gave no validation for rule "${rule.name}"; this is a bug in charter; please report it`,
            );
          }
          const verdict = verdictOf(result);
          findings.push(row(rule.name, verdict.result, verdict.messages));
        }
      }
    });
    return findings;
  }

  return { name: options.name, evaluate };
}
