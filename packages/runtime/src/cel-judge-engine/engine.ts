/**
 * The CEL judge engine: the policies' emitted CEL (emitCelPolicy, parameters inlined) judged
 * by `cel-judge`, the Kubernetes API server's own CEL environment (tools/kubernetes/cel-judge). Each
 * `evaluate()` sends ONE batch: every policy's variables (prefixed `p<i>_`), match conditions
 * and validations, and every resource some policy's kinds concern.
 *
 * Which policies apply comes from the shared matcher (match.ts) — the kinds are what a VAP's
 * matchConstraints say — and the CEL match conditions must agree with it; a disagreement, a
 * compile error or an evaluation error becomes an "error" row with the judge's text.
 *
 * A resource's Namespace (from the index inventoriesOf gives it) is bound as `namespaceObject`;
 * a rule reading it is skipped, as on every engine, when the Namespace is unknown
 * (inventory/judged-with.ts).
 *
 * Messages are the judge's denial messages: what the API server shows, after it trims the
 * messageExpression's result and falls back to the static message (`staticMessage`: the
 * template's holes in words) when the result is empty or over 5 KiB — the IR finishes messages
 * the same way. CEL gives one message per rule, the first witness's; `messages` holds just
 * that one.
 */
import {
  type CelPolicy,
  celSubject,
  emitCelPolicy,
  exceptionMatchCel,
  foldExceptions,
  LABELS_CONDITION,
  NAMESPACE_CONDITION,
} from "@charter/compiler";
import { boundNamespaceObject, type Policy, type PolicyException } from "@charter/ir";
import type {
  JudgeBatch,
  JudgeCase,
  JudgeExpression,
  JudgeOutput,
  JudgeResult,
} from "../cel-judge-client/protocol.js";
import { runCelJudge } from "../cel-judge-client/run.js";
import { excused, inForce } from "../exceptions/apply.js";
import { findingOf } from "../finding.js";
import { identityOf } from "../identity.js";
import { inventoriesOf, namespaceObjectOf, ruleReadsNamespace } from "../inventory/index.js";
import { type Applies, policyApplies, skipReasonOf } from "../match.js";
import { operationOf } from "../request-value.js";
import type { Engine, Finding, Resource, Result } from "../types.js";
import { isObject } from "../value.js";
import { judgeRequestOf } from "./judge-request.js";

export interface CelJudgeEngineOptions {
  /** The `cel-judge` binary (see findCelJudge). */
  readonly judgePath: string;
  /** The engine's name in rows and the CLI (`vap-cel`, `kyverno-cel`); default `cel-judge`. */
  readonly name?: string;
  /**
   * Policy exceptions, judged as the VAP and Kyverno targets carry them: those in force at
   * `now` are folded into the validations (`<excused> || <rule holds>`), and each one's match
   * is judged on its own to name the exception in the row (a `skip`, as `applyExceptions`
   * gives). A row an exception matches whose folded validation still fails is an error.
   */
  readonly exceptions?: readonly PolicyException[];
  /** The clock exceptions expire by (milliseconds since the epoch; default now). */
  readonly now?: number;
  /**
   * The policy set's system namespaces: objects in them get skip rows (the VAP binding and
   * Kyverno's namespaceSelector leave them out natively; the CEL's match conditions are still
   * checked against the matcher on them). None by default.
   */
  readonly systemNamespaces?: readonly string[];
}

interface EmittedPolicy {
  readonly policy: Policy;
  readonly cel: CelPolicy;
  readonly prefix: string;
  readonly exceptions: readonly PolicyException[];
}

const conditionId = (prefix: string, name: string) => `${prefix}match:${name}`;
const validationId = (prefix: string, index: number) => `${prefix}rule:${index}`;
const exceptionId = (prefix: string, index: number) => `${prefix}exception:${index}`;

/** The judge's note when a message was too long: the server's fallback, not an error. */
const TOO_LONG = "messageExpression result is longer than the server allows";

function batchOf(emitted: readonly EmittedPolicy[], cases: readonly JudgeCase[]): JudgeBatch {
  const expressions: JudgeExpression[] = [];
  for (const { cel, prefix, exceptions } of emitted) {
    exceptions.forEach((exception, index) => {
      expressions.push({
        id: exceptionId(prefix, index),
        expression: exceptionMatchCel(exception, "object"),
      });
    });
    for (const condition of cel.matchConditions) {
      expressions.push({
        id: conditionId(prefix, condition.name),
        expression: condition.expression,
      });
    }
    cel.validations.forEach((validation, index) => {
      expressions.push({
        id: validationId(prefix, index),
        expression: validation.expression,
        messageExpression: validation.messageExpression,
        message: validation.message,
      });
    });
  }
  return { variables: emitted.flatMap(({ cel }) => cel.variables), expressions, cases };
}

/** What the CEL says about applying: all conditions true → yes; the template one false → skip. */
function celApplies(
  cel: CelPolicy,
  prefix: string,
  result: (id: string) => JudgeResult | undefined,
): { readonly applies: Applies } | { readonly error: string } {
  let applies: Applies = "yes";
  for (const condition of cel.matchConditions) {
    const r = result(conditionId(prefix, condition.name));
    if (r === undefined || r.value === null) {
      return { error: `match condition ${condition.name} failed: ${r?.error ?? "no result"}` };
    }
    if (r.value) continue;
    if (condition.name === NAMESPACE_CONDITION || condition.name === LABELS_CONDITION) {
      return { applies: "no" };
    }
    applies = "skip";
  }
  return { applies };
}

export function createCelJudgeEngine(
  policies: readonly Policy[],
  options: CelJudgeEngineOptions,
): Engine {
  // Emitting up front turns IR that CEL cannot express (`inventory(…)`, …) into a CharterError
  // at creation.
  const now = options.now ?? Date.now();
  const emitted: EmittedPolicy[] = policies.map((policy, index) => {
    const prefix = `p${index}_`;
    const exceptions = (options.exceptions ?? []).filter(
      (e) => e.policy === policy.name && inForce(e, now),
    );
    const celOptions = { params: "inline", object: "object", variablePrefix: prefix } as const;
    const plain = emitCelPolicy(policy, celOptions);
    // An exception reads the object judged: on a DELETE, the one being deleted.
    const cel = foldExceptions(policy.name, plain, exceptions, celSubject(policy, celOptions));
    return { policy, cel, prefix, exceptions };
  });
  const name = options.name ?? "cel-judge";
  const systemNamespaces = options.systemNamespaces ?? [];

  async function evaluate(resources: readonly Resource[]): Promise<readonly Finding[]> {
    // The kinds alone (no namespace or label filter): which (resource, policy) pairs CEL must
    // judge, so the emitted match conditions decide the rest and are checked against the matcher.
    const kindOnly = policies.map((policy) => ({
      ...policy,
      match: { ...policy.match, namespaces: undefined, labels: undefined },
    })) as Policy[];
    const concerned = resources.map((resource) =>
      // matchConstraints: the kinds and the operations.
      kindOnly.map(
        (policy) => policyApplies(policy, resource.object, [], operationOf(resource)) !== "no",
      ),
    );
    const readsNamespace = policies.some((policy) => policy.rules.some(ruleReadsNamespace));
    const inventories = inventoriesOf(policies, resources);
    // The Namespace of each resource, or why a rule reading it is skipped.
    const namespaces = resources.map((resource, index) =>
      readsNamespace
        ? namespaceObjectOf(resource.object, identityOf(resource.object), inventories[index])
        : undefined,
    );
    const cases: JudgeCase[] = [];
    resources.forEach((resource, index) => {
      if (isObject(resource.object) && concerned[index]?.some(Boolean)) {
        const namespace = namespaces[index];
        cases.push({
          id: String(index),
          ...judgeRequestOf(resource),
          // Cut down as the server binds it, which also keeps the judge's decoder content.
          ...(namespace && "namespaceObject" in namespace
            ? { namespaceObject: boundNamespaceObject(namespace.namespaceObject) }
            : {}),
        });
      }
    });
    if (cases.length === 0) return [];
    const output: JudgeOutput = await runCelJudge(options.judgePath, batchOf(emitted, cases));
    const compileErrors = new Map<string, string>();
    for (const e of output.compileErrors) {
      const prefix = /^p\d+_/.exec(e.id)?.[0];
      if (prefix !== undefined && !compileErrors.has(prefix)) {
        compileErrors.set(prefix, `CEL ${e.kind} ${e.id} does not compile: ${e.error}`);
      }
    }
    const results = new Map<string, JudgeResult>();
    for (const r of output.results) results.set(`${r.case}\u0000${r.expression}`, r);

    const findings: Finding[] = [];
    resources.forEach((resource, resourceIndex) => {
      const identity = identityOf(resource.object);
      const result = (id: string) => results.get(`${resourceIndex}\u0000${id}`);
      emitted.forEach(({ policy, cel, prefix, exceptions }, policyIndex) => {
        if (!concerned[resourceIndex]?.[policyIndex]) return;
        const before = findings.length;
        judgePolicy(policy, cel, prefix);
        // The first exception in order whose match CEL holds excuses the row, as applyExceptions.
        for (let i = before; i < findings.length; i++) {
          const finding = findings[i] as Finding;
          const index = exceptions.findIndex(
            (e) =>
              (e.rules === undefined || e.rules.includes(finding.rule)) &&
              result(exceptionId(prefix, exceptions.indexOf(e)))?.value === true,
          );
          const exception = exceptions[index];
          if (exception === undefined) continue;
          findings[i] =
            finding.result === "fail"
              ? findingOf({ policy, resource, identity, resourceIndex }, finding.rule, "error", [
                  `exception ${exception.name} matches but the folded validation failed; this is a bug in charter; please report it`,
                ])
              : excused(finding, exception);
        }
      });
      function judgePolicy(policy: Policy, cel: CelPolicy, prefix: string): void {
        // What the CEL's match conditions must say, and what the row says (a system namespace).
        const matched = policyApplies(policy, resource.object, [], operationOf(resource));
        const applies = policyApplies(
          policy,
          resource.object,
          systemNamespaces,
          operationOf(resource),
        );
        // CEL gives one message per rule: the first witness's.
        const row = (rule: string, result: Result, message: string): Finding =>
          findingOf(
            { policy, resource, identity, resourceIndex },
            rule,
            result,
            result === "pass" ? [] : [message],
          );
        const errorRows = (text: string) =>
          findings.push(...policy.rules.map((rule) => row(rule.name, "error", text)));
        const compileError = compileErrors.get(prefix);
        if (compileError !== undefined) {
          errorRows(compileError);
          return;
        }
        const verdict = celApplies(cel, prefix, result);
        if ("error" in verdict) {
          errorRows(verdict.error);
          return;
        }
        if (verdict.applies !== matched) {
          errorRows(
            `the CEL match conditions say "${verdict.applies}", the matcher says "${matched}"; this is a bug in charter; please report it`,
          );
          return;
        }
        if (applies === "no") return;
        if (applies === "skip" || applies === "system") {
          const reason = skipReasonOf(applies, resource.object, identity, systemNamespaces);
          for (const rule of policy.rules) findings.push(row(rule.name, "skip", reason));
          return;
        }
        const namespace = namespaces[resourceIndex];
        policy.rules.forEach((rule, ruleIndex) => {
          if (namespace && "skip" in namespace && ruleReadsNamespace(rule)) {
            findings.push(row(rule.name, "skip", namespace.skip));
            return;
          }
          const r = result(validationId(prefix, ruleIndex));
          if (r === undefined || r.value === null) {
            findings.push(
              row(rule.name, "error", `CEL evaluation failed: ${r?.error ?? "no result"}`),
            );
          } else if (r.value) {
            findings.push(row(rule.name, "pass", ""));
          } else {
            if (r.messageError !== undefined && r.messageError !== TOO_LONG) {
              const text = `CEL messageExpression failed: ${r.messageError}`;
              findings.push(row(rule.name, "error", text));
            } else {
              findings.push(row(rule.name, "fail", r.message ?? ""));
            }
          }
        });
      }
    });
    return findings;
  }

  return { name, evaluate };
}
