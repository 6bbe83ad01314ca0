/**
 * Every namespace that runs workloads has a default-deny NetworkPolicy, so a pod is reachable
 * (and reaches out) only where another NetworkPolicy allows it. Decisions, exactly:
 * - Judged on each workload (Pod or pod controller): its namespace — `metadata.namespace`, or
 *   `default` when the manifest names none, as `kubectl apply` without `-n` would place it in
 *   a fresh context — must hold a default-deny NetworkPolicy in the scanned set (in a
 *   cluster: in Gatekeeper's synced inventory).
 * - Default-deny ingress: `spec.podSelector` selects every pod (no `matchLabels`, no
 *   `matchExpressions`), the policy covers Ingress (`policyTypes` lists it, or is missing, when
 *   Kubernetes infers Ingress) and has no `spec.ingress` rules.
 * - Default-deny egress: selects every pod, `policyTypes` lists Egress, no `spec.egress` rules.
 *   Required when `params.directions` lists Egress (the default: NSA/CISA asks for both).
 * - Allow policies beside it are fine: NetworkPolicies add up, so a default-deny plus
 *   selective allows is exactly the intended shape.
 * Offline the scan judges these rows after reading every document, so the NetworkPolicy may
 * come anywhere in the set. VAP and Kyverno cannot list other objects at admission (see
 * docs/capabilities.md): this policy is built for Rego and Gatekeeper.
 */
import { list, pod, policy, string, when } from "@charter/dsl";
import type { JsonObject } from "@charter/ir";
import { asCronJob, asDeployment, asPod, container } from "./support/workloads.js";

const spec = { containers: [container("app")] };

function networkPolicy(name: string, namespace: string, policySpec: JsonObject): JsonObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace },
    spec: policySpec,
  };
}

const DENY_ALL = { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
const DENY_INGRESS = { podSelector: {}, policyTypes: ["Ingress"] };
const DENY_EGRESS = { podSelector: {}, policyTypes: ["Egress"] };
const ALLOW_WEB = {
  podSelector: { matchLabels: { app: "api" } },
  policyTypes: ["Ingress"],
  ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }],
};

/** No `matchLabels` and no `matchExpressions`: the selector selects every pod. */
const EMPTY: JsonObject = {};
const NONE: string[] = [];

const NO_NAMESPACE_REASON =
  "VAP and Kyverno judge one object at admission and cannot list the NetworkPolicies of its " +
  "namespace; Gatekeeper (with the emitted SyncSet) and offline scans can";

export default policy("require-default-deny-network-policy", {
  title: "Namespaces that run workloads have a default-deny NetworkPolicy",
  description:
    "Without a NetworkPolicy selecting them, pods accept traffic from every pod in the " +
    "cluster and reach everything. Each namespace that runs workloads needs a default-deny " +
    "policy (`podSelector: {}`, no rules) for ingress and, by default, egress; allow policies " +
    "then open exactly what is needed. Judged on each workload against the NetworkPolicies " +
    "of its namespace in the scanned set (in a cluster, Gatekeeper's synced inventory).",
  severity: "medium",
  category: "Network",
  controls: ["cis:5.3.2", "nsa:network:network-policies", "area:network"],
  match: pod,
  params: {
    directions: list(string()).default(["Ingress", "Egress"]),
  },
  rules: {
    ingress: {
      fail: when`"Ingress" in params.directions
        and none np in inventory("networking.k8s.io/v1", "NetworkPolicy", object.metadata.namespace ?? "default"):
          len(np.spec.podSelector.matchLabels ?? ${EMPTY}) == 0
          and len(np.spec.podSelector.matchExpressions ?? ${NONE}) == 0
          and (not exists(np.spec.policyTypes) or "Ingress" in np.spec.policyTypes)
          and len(np.spec.ingress ?? ${NONE}) == 0`,
      message:
        '{{object.kind}} {{object.metadata.name}} runs in namespace "{{object.metadata.namespace ?? "default"}}", ' +
        "which has no default-deny ingress NetworkPolicy; add one with podSelector: {} and " +
        "policyTypes: [Ingress] and no ingress rules",
      remediation:
        "Add to the namespace a NetworkPolicy `default-deny` with `podSelector: {}`, " +
        "`policyTypes: [Ingress, Egress]` and no rules, then allow policies for the traffic " +
        "each workload needs (and DNS egress).",
    },
    egress: {
      fail: when`"Egress" in params.directions
        and none np in inventory("networking.k8s.io/v1", "NetworkPolicy", object.metadata.namespace ?? "default"):
          len(np.spec.podSelector.matchLabels ?? ${EMPTY}) == 0
          and len(np.spec.podSelector.matchExpressions ?? ${NONE}) == 0
          and "Egress" in np.spec.policyTypes and len(np.spec.egress ?? ${NONE}) == 0`,
      message:
        '{{object.kind}} {{object.metadata.name}} runs in namespace "{{object.metadata.namespace ?? "default"}}", ' +
        "which has no default-deny egress NetworkPolicy; add one with podSelector: {} and " +
        "policyTypes: [Egress] and no egress rules",
      remediation:
        "Add `Egress` to the default-deny policy's `policyTypes` (with no `egress` rules) and " +
        "allow DNS and each workload's known destinations explicitly.",
    },
  },
  excludeTargets: { kyverno: NO_NAMESPACE_REASON, vap: NO_NAMESPACE_REASON },
  cases: {
    pass: [
      {
        name: "one policy denying both directions",
        resource: asDeployment("api", spec),
        inventory: [networkPolicy("default-deny", "default", DENY_ALL)],
      },
      {
        name: "two policies, one per direction, beside an allow policy",
        resource: asPod("api", spec),
        inventory: [
          networkPolicy("allow-web", "default", ALLOW_WEB),
          networkPolicy("deny-egress", "default", DENY_EGRESS),
          networkPolicy("deny-ingress", "default", DENY_INGRESS),
        ],
      },
      {
        name: "policyTypes missing means Ingress; empty matchLabels select all",
        resource: asCronJob("report", spec),
        inventory: [
          networkPolicy("deny-ingress", "default", { podSelector: { matchLabels: {} } }),
          networkPolicy("deny-egress", "default", DENY_EGRESS),
        ],
      },
    ],
    fail: [
      {
        name: "no NetworkPolicy at all",
        resource: asDeployment("api", spec),
        rules: ["ingress", "egress"],
      },
      {
        name: "the default-deny is in another namespace",
        resource: asPod("api", spec),
        inventory: [networkPolicy("default-deny", "other", DENY_ALL)],
        rules: ["ingress", "egress"],
      },
      {
        name: "only an allow policy selecting some pods",
        resource: asPod("api", spec),
        inventory: [
          networkPolicy("allow-web", "default", ALLOW_WEB),
          networkPolicy("deny-egress", "default", DENY_EGRESS),
        ],
        rules: ["ingress"],
      },
      {
        name: "ingress only: egress stays open",
        resource: asDeployment("api", spec),
        inventory: [networkPolicy("deny-ingress", "default", DENY_INGRESS)],
        rules: ["egress"],
      },
      {
        name: "a podSelector with matchExpressions is not default-deny",
        resource: asPod("api", spec),
        inventory: [
          networkPolicy("almost", "default", {
            podSelector: { matchExpressions: [{ key: "app", operator: "Exists" }] },
            policyTypes: ["Ingress", "Egress"],
          }),
        ],
        rules: ["ingress", "egress"],
      },
    ],
  },
});
