/**
 * The `kyverno` target: a CEL ValidatingPolicy by default, the deprecated ClusterPolicy on
 * request. CEL admission cannot list other objects, and exceptions Kyverno cannot say exactly
 * are folded into the CEL, where no clock ends them. A policy with image rules becomes an
 * ImageValidatingPolicy (or ClusterPolicy `verifyImages` rules), which reach the registry.
 */
import { emitKyverno } from "../kyverno/index.js";
import { MINIMUM_VERSIONS } from "./engine-versions.js";
import type { TargetDescriptor } from "./target-descriptor.js";

export const kyvernoTarget: TargetDescriptor = {
  name: "kyverno",
  emit: (policies, options, exceptions) =>
    emitKyverno(policies, {
      api: options.kyvernoApi,
      exceptions,
      systemNamespaces: options.systemNamespaces,
      ...(options.kyvernoExceptionNamespace
        ? { exceptionNamespace: options.kyvernoExceptionNamespace }
        : {}),
    }),
  variants: [
    {
      emitted:
        "`policies.kyverno.io/v1` ValidatingPolicy; ImageValidatingPolicy for a policy with image rules",
      minimum: MINIMUM_VERSIONS.kyvernoValidatingPolicy,
      supports: ["namespace-object", "image-rules"],
    },
    {
      option: "--kyverno-api clusterpolicy",
      selects: { kyvernoApi: "clusterpolicy" },
      emitted:
        "`kyverno.io/v1` ClusterPolicy, `validate.cel`, per-rule `failureAction`; `verifyImages` rules for image rules",
      minimum: MINIMUM_VERSIONS.kyvernoClusterPolicy,
      supports: ["namespace-object", "image-rules"],
    },
  ],
};
