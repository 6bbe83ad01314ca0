/**
 * Binding parameter values to a policy: what `charter.config.ts`'s `params`, a test case's
 * `params` and the DSL's `withParams` all do, checked exactly as the policy's own defaults are.
 */
import type { ErrorLocation } from "./errors.js";
import { deepFreeze } from "./freeze.js";
import type { Json, JsonObject } from "./json.js";
import { validateValues } from "./param-values.js";
import type { Policy } from "./policy.js";

/**
 * The policy with some parameters set (the others keep their defaults), checked against the
 * parameters' schema. Returns a new frozen policy; the original is unchanged.
 */
export function withParams(policy: Policy, values: Record<string, Json>): Policy {
  const at: ErrorLocation = policy.source ?? {};
  const merged: JsonObject = { ...policy.parameters.values, ...values };
  validateValues(
    policy.parameters.schema,
    merged,
    `policy "${policy.name}": parameters do not fit the schema`,
    at,
    policy.rules,
  );
  return deepFreeze({
    ...policy,
    parameters: { schema: policy.parameters.schema, values: structuredClone(merged) as JsonObject },
  });
}
