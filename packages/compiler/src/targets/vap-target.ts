/**
 * The `vap` target: a ValidatingAdmissionPolicy and its binding per policy, CEL that cannot
 * list other objects, with exceptions folded in (no clock ends them).
 */
import { emitVap } from "../vap/index.js";
import { MINIMUM_VERSIONS } from "./engine-versions.js";
import type { TargetDescriptor } from "./target-descriptor.js";

export const vapTarget: TargetDescriptor = {
  name: "vap",
  emit: (policies, options, exceptions) =>
    emitVap(policies, { exceptions, systemNamespaces: options.systemNamespaces }),
  variants: [
    {
      emitted: "`admissionregistration.k8s.io/v1` ValidatingAdmissionPolicy + Binding",
      minimum: MINIMUM_VERSIONS.kubernetes,
      supports: ["namespace-object"],
    },
  ],
};
