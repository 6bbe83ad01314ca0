/**
 * The `K8sNativeValidation` source of a template (`engine: "cel"`): the shared CEL emitter's
 * expressions, reading the object as `object` and the Constraint's parameters as
 * `variables.params`, which Gatekeeper binds to the Constraint's `spec.parameters`.
 * Gatekeeper's JSON key for match conditions is singular: `matchCondition`.
 */
import {
  CharterError,
  DEFAULT_OPERATIONS,
  type JsonObject,
  operationsOf,
  type Policy,
} from "@charter/ir";
import { emitCelPolicy } from "../cel/index.js";
import type { CelOptions, CelPolicy } from "../cel/types.js";
import { MINIMUM_VERSIONS } from "../targets/engine-versions.js";

/**
 * How Gatekeeper hands the object and the parameters to CEL. Its K8sNativeValidation driver
 * passed no Namespace to the validator (namespaceObject always null) until
 * open-policy-agent/gatekeeper#4285 (December 2025, after the 3.19 floor), so a rule reading
 * the Namespace would never be judged there: it is a compile error instead.
 */
export const GATEKEEPER_CEL_OPTIONS: CelOptions = {
  params: { expression: "variables.params" },
  object: "object",
  target: "gatekeeper",
  admission: {
    unsupported:
      "Gatekeeper's K8sNativeValidation engine is not proven to bind the admission request (its audit has none); use the Gatekeeper Rego engine (--gatekeeper-engine rego), which reads input.review",
  },
  namespaceObject: {
    unsupported: `Gatekeeper's K8sNativeValidation engine gives CEL no namespaceObject before open-policy-agent/gatekeeper#4285 (later than the ${MINIMUM_VERSIONS.gatekeeper.version} floor), so the rule would never be judged; use the Gatekeeper Rego engine (--gatekeeper-engine rego), which reads the synced Namespace`,
  },
};

/** Names Gatekeeper keeps for itself. */
function reserved(name: string): boolean {
  return name === "params" || name === "anyObject" || name.startsWith("gatekeeper_internal_");
}

export function celSourceFrom(policy: Policy, cel: CelPolicy): JsonObject {
  for (const { name } of [...cel.variables, ...cel.matchConditions]) {
    if (reserved(name)) {
      throw new CharterError(
        `policy "${policy.name}": the CEL name "${name}" is reserved by Gatekeeper; target "gatekeeper" (engine cel) cannot express it`,
        policy.source ?? {},
      );
    }
  }
  return {
    ...(cel.variables.length > 0
      ? { variables: cel.variables.map(({ name, expression }) => ({ name, expression })) }
      : {}),
    ...(cel.matchConditions.length > 0
      ? {
          matchCondition: cel.matchConditions.map(({ name, expression }) => ({ name, expression })),
        }
      : {}),
    validations: cel.validations.map(({ expression, message, messageExpression }) => ({
      expression,
      message,
      messageExpression,
    })),
  };
}

export function celSource(policy: Policy): JsonObject {
  const operations = operationsOf(policy.match);
  if (operations.join() !== DEFAULT_OPERATIONS.join()) {
    // The CEL source has no test of the operation, and a Constraint's match has none either.
    throw new CharterError(
      `policy "${policy.name}": it judges ${operations.join(", ")} requests, and Gatekeeper's K8sNativeValidation source cannot test the operation; target "gatekeeper" cannot express it with the CEL engine — use the Gatekeeper Rego engine (--gatekeeper-engine rego)`,
      policy.source ?? {},
    );
  }
  return celSourceFrom(policy, emitCelPolicy(policy, GATEKEEPER_CEL_OPTIONS));
}
