/** The `rego` target: OPA v1 Rego, which can express every construct of the IR. */
import { emitRego } from "../rego/index.js";
import { MINIMUM_VERSIONS } from "./engine-versions.js";
import type { TargetDescriptor } from "./target-descriptor.js";

export const regoTarget: TargetDescriptor = {
  name: "rego",
  emit: (policies, options, exceptions) =>
    emitRego(policies, { exceptions, systemNamespaces: options.systemNamespaces }),
  variants: [
    {
      emitted: "`charter/lib.rego`, `charter/policies/<name>.rego`, `charter/violations.rego`",
      minimum: MINIMUM_VERSIONS.opa,
      supports: ["inventory", "namespace-object", "patterns-from-resource", "exception-expiry"],
    },
  ],
};
