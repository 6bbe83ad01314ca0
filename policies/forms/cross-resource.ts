/**
 * The builder forms of the cross-resource policies: the workload's Namespace
 * (`namespaceObject`) and the other objects of the scanned set (`inventory(…)`).
 * forms.test.ts proves each equals the policy's own condition.
 */
import type { Cond, Value } from "@charter/dsl";
import {
  and,
  exists,
  inventory,
  lit,
  namespaceObject,
  none,
  not,
  or,
  params,
  pod,
  resource,
} from "@charter/dsl";
import type { Forms } from "./types.js";

/** A NetworkPolicy or PeerAuthentication selector with no labels selects every pod. */
const selectsEveryPod = (np: Value): Cond =>
  and(
    np.at("spec.podSelector.matchLabels").orElse(lit({})).len().eq(0),
    np.at("spec.podSelector.matchExpressions").orElse(lit([])).len().eq(0),
  );

const networkPolicies = () =>
  inventory(
    "networking.k8s.io/v1",
    "NetworkPolicy",
    resource.at("metadata.namespace").orElse("default"),
  );

export const FORMS: Record<string, Record<string, Forms>> = {
  "restrict-runtime-class": {
    sandboxed: {
      builder: and(
        namespaceObject
          .at("metadata.labels")
          .lookup(params.at("untrustedLabel"))
          .in(params.at("untrustedValues")),
        not(pod.at("spec.runtimeClassName").in(params.at("runtimeClasses"))),
      ),
    },
  },
  "require-default-deny-network-policy": {
    ingress: {
      builder: and(
        lit("Ingress").in(params.at("directions")),
        none("np", networkPolicies(), (np) =>
          and(
            selectsEveryPod(np),
            or(
              not(exists(np.at("spec.policyTypes"))),
              lit("Ingress").in(np.at("spec.policyTypes")),
            ),
            np.at("spec.ingress").orElse(lit([])).len().eq(0),
          ),
        ),
      ),
    },
    egress: {
      builder: and(
        lit("Egress").in(params.at("directions")),
        none("np", networkPolicies(), (np) =>
          and(
            selectsEveryPod(np),
            lit("Egress").in(np.at("spec.policyTypes")),
            np.at("spec.egress").orElse(lit([])).len().eq(0),
          ),
        ),
      ),
    },
  },
  "require-mesh-wide-mtls": {
    meshWide: {
      builder: and(
        or(
          resource.at("metadata.labels").get("istio-injection").eq("enabled"),
          exists(resource.at("metadata.labels").get("istio.io/rev")),
        ),
        none(
          "pa",
          inventory("security.istio.io/v1", "PeerAuthentication", params.at("rootNamespace")),
          (pa) =>
            and(
              pa.at("spec.selector.matchLabels").orElse(lit({})).len().eq(0),
              pa.at("spec.mtls.mode").eq("STRICT"),
            ),
        ),
      ),
    },
  },
};
