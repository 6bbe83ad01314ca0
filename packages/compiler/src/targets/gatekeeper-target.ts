/**
 * The `gatekeeper` target: a ConstraintTemplate and its Constraint per policy, the template's
 * code Rego (every construct) or, on request, CEL (the shared CEL emitter's limits, and no
 * Namespace before open-policy-agent/gatekeeper#4285; exceptions are a compile error there).
 */
import { emitGatekeeper } from "../gatekeeper/index.js";
import { MINIMUM_VERSIONS } from "./engine-versions.js";
import type { TargetDescriptor } from "./target-descriptor.js";

export const gatekeeperTarget: TargetDescriptor = {
  name: "gatekeeper",
  emit: (policies, options, exceptions) =>
    emitGatekeeper(policies, {
      engine: options.gatekeeperEngine,
      exceptions,
      systemNamespaces: options.systemNamespaces,
    }),
  variants: [
    {
      option: "--gatekeeper-engine rego",
      selects: { gatekeeperEngine: "rego" },
      emitted:
        "`templates.gatekeeper.sh/v1` ConstraintTemplate (`code: [{engine: Rego, source: {version: v1, rego, libs}}]`) + `constraints.gatekeeper.sh/v1beta1` Constraint",
      minimum: MINIMUM_VERSIONS.gatekeeper,
      supports: ["inventory", "namespace-object", "patterns-from-resource", "exception-expiry"],
    },
    {
      option: "--gatekeeper-engine cel",
      selects: { gatekeeperEngine: "cel" },
      emitted:
        "ConstraintTemplate with `K8sNativeValidation` code (params as `variables.params`) + Constraint",
      minimum: MINIMUM_VERSIONS.gatekeeper,
      supports: [],
    },
  ],
};
