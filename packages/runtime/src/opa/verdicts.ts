/**
 * What the emitted Rego says about a batch (each policy's `applies` and `findings` per
 * resource) turned into report rows. Shared by every engine that runs emitted Rego (the `opa`
 * binary, its WASM build, Gatekeeper's templates), so they differ only in how the Rego is run.
 */
import { OpaError, regoPackageRef, regoString } from "@charter/compiler";
import type { Policy, PolicyException } from "@charter/ir";
import { excused } from "../exceptions/apply.js";
import { findingOf } from "../finding.js";
import { identityOf } from "../identity.js";
import type { InventoryIndex } from "../inventory/inventory-index.js";
import { ruleSkipReason } from "../inventory/judged-with.js";
import { policyApplies, skipReasonOf } from "../match.js";
import { operationOf } from "../request-value.js";
import type { Finding, Resource, Result } from "../types.js";

export interface RegoFinding {
  readonly rule: string;
  readonly message: string;
  readonly witness: readonly number[];
}

export interface RegoVerdict {
  readonly applies: boolean;
  readonly findings: readonly RegoFinding[];
  /** Rule → the names of the exceptions excusing the object from it, in order. */
  readonly excused?: Readonly<Record<string, readonly string[]>>;
}

/** Dashed policy name → verdict, for one resource. */
export type RegoVerdicts = Readonly<Record<string, RegoVerdict>>;

/** `"<policy name>": {"applies": …, "findings": …}`, an entry of a Rego object of verdicts. */
export function verdictEntry(policy: Policy): string {
  const ref = regoPackageRef(policy);
  return `${regoString(policy.name)}: {"applies": ${ref}.applies, "findings": ${ref}.findings, "excused": ${ref}.excused}`;
}

/** Document order of witnesses: element indices compared left to right. */
function byWitness(a: RegoFinding, b: RegoFinding): number {
  const length = Math.min(a.witness.length, b.witness.length);
  for (let i = 0; i < length; i++) {
    const difference = (a.witness[i] as number) - (b.witness[i] as number);
    if (difference !== 0) return difference;
  }
  return a.witness.length - b.witness.length;
}

/** What else the rows of a batch depend on, besides the verdicts. */
export interface VerdictsContext {
  /** The exceptions the Rego was emitted with; a verdict names the one excusing a rule. */
  readonly exceptions?: readonly PolicyException[];
  /**
   * The policy set's system namespaces: their objects' rows are skips (none by default).
   */
  readonly systemNamespaces?: readonly string[];
  /**
   * Whether the Rego's `applies` leaves out objects in a system namespace itself (the Rego
   * target: `lib.in_system_namespace`), or another selection does (Gatekeeper: the
   * Constraint's `excludedNamespaces`, checked by the engine). Default true.
   */
  readonly regoSkipsSystemNamespaces?: boolean;
  /**
   * Whether the Rego's `applies` tests the operation of a policy with the default operations
   * (the Rego target: always). Gatekeeper's templates test only operations a policy lists
   * (their default output stays as it was; Gatekeeper's webhook sends CREATE and UPDATE unless
   * installed with delete operations): there a DELETE of such a policy's kind applies in the
   * Rego and the row is left out, as the matcher says. Default true.
   */
  readonly regoTestsDefaultOperations?: boolean;
}

/**
 * The rows of a batch from the Rego's verdicts. `indexes` are the scanned sets the resources
 * were judged with (inventoriesOf). The Rego's `applies` must agree with the matcher, and a
 * rule skipped for an unknown Namespace must have found nothing, or this is a bug: it throws.
 */
export function findingsOfVerdicts(
  policies: readonly Policy[],
  resources: readonly Resource[],
  indexes: readonly (InventoryIndex | undefined)[],
  results: readonly RegoVerdicts[],
  {
    exceptions = [],
    systemNamespaces = [],
    regoSkipsSystemNamespaces = true,
    regoTestsDefaultOperations = true,
  }: VerdictsContext = {},
): Finding[] {
  const findings: Finding[] = [];
  resources.forEach((resource, resourceIndex) => {
    const identity = identityOf(resource.object);
    const verdicts = results[resourceIndex] ?? {};
    for (const policy of policies) {
      const applies = policyApplies(
        policy,
        resource.object,
        systemNamespaces,
        operationOf(resource),
      );
      const regoOperation =
        regoTestsDefaultOperations || policy.match.operations !== undefined
          ? operationOf(resource)
          : "CREATE";
      // What the Rego's own `applies` must say: with the system namespaces, or without them.
      const regoApplies = regoSkipsSystemNamespaces
        ? policyApplies(policy, resource.object, systemNamespaces, regoOperation)
        : policyApplies(policy, resource.object, [], regoOperation);
      const verdict = verdicts[policy.name];
      const where = `policy "${policy.name}" on resource #${resourceIndex} (${identity.kind} "${identity.name}")`;
      if (verdict === undefined || verdict.applies !== (regoApplies === "yes")) {
        throw new OpaError(
          `${where}: the Rego says applies=${verdict?.applies}, the matcher says "${regoApplies}"; this is a bug in charter; please report it`,
        );
      }
      if (applies === "no") continue;
      // A rule the Rego's exceptions excuse is a skip naming the first of them.
      const row = (rule: string, result: Result, messages: readonly string[]): Finding => {
        const finding = findingOf(
          { policy, resource, identity, resourceIndex },
          rule,
          result,
          messages,
        );
        const name = verdict.excused?.[rule]?.[0];
        if (name === undefined) return finding;
        const exception = exceptions.find((e) => e.name === name);
        if (exception === undefined) {
          throw new OpaError(
            `the Rego names an unknown exception "${name}"; this is a bug in charter`,
          );
        }
        return excused(finding, exception);
      };
      for (const rule of policy.rules) {
        if (applies === "skip" || applies === "system") {
          const reason = skipReasonOf(applies, resource.object, identity, systemNamespaces);
          findings.push(row(rule.name, "skip", [reason]));
          continue;
        }
        // Identical messages from different witnesses collapse to the first, as in the IR engine.
        const messages = [
          ...new Set(
            verdict.findings
              .filter((finding) => finding.rule === rule.name)
              .sort(byWitness)
              .map((finding) => finding.message),
          ),
        ];
        const skip = ruleSkipReason(rule, resource.object, identity, indexes[resourceIndex]);
        if (skip !== undefined) {
          // In a cluster such a rule must not deny: the Rego must have found nothing.
          if (messages.length > 0) {
            throw new OpaError(
              `policy "${policy.name}", rule "${rule.name}" on resource #${resourceIndex} (${identity.kind} "${identity.name}"): the Rego fails a rule whose Namespace is unknown; this is a bug in charter; please report it`,
            );
          }
          findings.push(row(rule.name, "skip", [skip]));
          continue;
        }
        findings.push(row(rule.name, messages.length > 0 ? "fail" : "pass", messages));
      }
    }
  });
  return findings;
}
