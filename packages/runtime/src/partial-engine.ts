/**
 * An engine over the policies its target can express. A policy the target cannot express (a
 * cross-resource list on a CEL target…) is a compile error for `charter build`; an engine asked
 * to judge it instead gives each of its rules a `skip` row that says why, so a scan on any
 * engine still reports every policy honestly, and agreement checks leave those rows out.
 */
import { isCharterError, type Policy, ruleNamesOf } from "@charter/ir";
import { findingOf } from "./finding.js";
import { identityOf } from "./identity.js";
import { inReportOrder } from "./ir-engine/scan.js";
import { policyApplies, systemNamespaceReason } from "./match.js";
import { operationOf } from "./request-value.js";
import type { Engine, Finding, Resource } from "./types.js";

export function createPartialEngine(
  name: string,
  policies: readonly Policy[],
  create: (policies: readonly Policy[]) => Engine,
  systemNamespaces: readonly string[] = [],
): Engine {
  const unjudgeable = new Map<string, string>();
  const judgeable = policies.filter((policy) => {
    try {
      create([policy]);
      return true;
    } catch (error) {
      if (!isCharterError(error)) throw error;
      unjudgeable.set(policy.name, error.message);
      return false;
    }
  });
  if (unjudgeable.size === 0) return create(policies);
  const engine = create(judgeable);
  const skipped = policies.filter((policy) => unjudgeable.has(policy.name));

  async function evaluate(resources: readonly Resource[]): Promise<readonly Finding[]> {
    const findings = [...(judgeable.length ? await engine.evaluate(resources) : [])];
    resources.forEach((resource, resourceIndex) => {
      const identity = identityOf(resource.object);
      for (const policy of skipped) {
        const applies = policyApplies(
          policy,
          resource.object,
          systemNamespaces,
          operationOf(resource),
        );
        if (applies === "no") continue;
        // An object in a system namespace is skipped for that on every engine, this one too.
        const reason =
          applies === "system"
            ? systemNamespaceReason(resource.object, identity, systemNamespaces)
            : `the ${name} engine cannot judge this policy: ${unjudgeable.get(policy.name)}`;
        for (const rule of ruleNamesOf(policy)) {
          findings.push(
            findingOf({ policy, resource, identity, resourceIndex }, rule, "skip", [reason]),
          );
        }
      }
    });
    return inReportOrder(findings, policies);
  }

  return { name, evaluate, unjudgeable };
}
