/**
 * A NetworkPolicy that opens its pods to everyone. Decisions, exactly:
 * - Only ingress rules that restrict no ports count (`ports` missing or empty): a rule scoped to
 *   some ports (say 443 on an ingress controller) opens those ports, not "all ingress".
 * - Ingress rules are judged only when the policy enforces ingress: `spec.policyTypes` missing
 *   (Kubernetes then infers Ingress) or listing `Ingress`.
 * - `anySource`: a rule whose `from` is missing or empty admits every source.
 * - `openPeer`: a rule with a peer that admits everything: an empty peer `{}` (no
 *   `podSelector`, `namespaceSelector` or `ipBlock`; the API server rejects it, but a file may
 *   hold it), or an `ipBlock` of `0.0.0.0/0` or `::/0` with no `except`.
 * `namespaceSelector: {}` (every pod of every namespace) is not "anywhere": it does not admit
 * traffic from outside the cluster, and is left to review.
 */
import { fromYaml, kinds, policy, when } from "@charter/dsl";
import type { JsonObject } from "@charter/ir";

function networkPolicy(name: string, spec: JsonObject): JsonObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: "shop" },
    spec: { podSelector: { matchLabels: { app: "api" } }, ...spec },
  };
}

const enforcesIngress = when`not exists(object.spec.policyTypes) or "Ingress" in object.spec.policyTypes`;

export default policy("disallow-allow-all-ingress-networkpolicy", {
  title: "NetworkPolicies do not admit all traffic from anywhere",
  description:
    "An ingress rule that names no source (`from` missing or empty), or whose source is an " +
    "empty peer `{}` or the whole Internet (`ipBlock` `0.0.0.0/0` or `::/0` without " +
    "`except`), and that restricts no ports, undoes every other NetworkPolicy selecting the " +
    "same pods: NetworkPolicies add up. Rules restricted to some ports, and policies whose " +
    "`policyTypes` leave out Ingress, are not judged. `namespaceSelector: {}` (every pod in " +
    "the cluster) is allowed by this policy.",
  severity: "high",
  category: "Network",
  controls: ["cis:5.3.2", "nsa:network:network-policies", "area:network"],
  match: kinds("networking.k8s.io/v1/NetworkPolicy"),
  rules: {
    anySource: {
      fail: when`${enforcesIngress}
        and any r in object.spec.ingress: not (len(r.ports) > 0) and not (len(r.from) > 0)`,
      message:
        "NetworkPolicy {{object.metadata.name}} has an ingress rule with no from and no ports " +
        "(spec.ingress[]), which admits every source on every port; list the allowed sources " +
        "in from, or remove the rule",
      remediation:
        "Give the rule a `from` naming the pods (`podSelector`), namespaces " +
        "(`namespaceSelector`) or CIDRs (`ipBlock`) that need access, and restrict `ports`; " +
        "or remove the rule so the policy denies ingress.",
    },
    openPeer: {
      fail: when`${enforcesIngress}
        and any r in object.spec.ingress: not (len(r.ports) > 0)
          and any p in r.from:
            (not exists(p.podSelector) and not exists(p.namespaceSelector) and not exists(p.ipBlock))
            or (p.ipBlock.cidr in ["0.0.0.0/0", "::/0"] and not (len(p.ipBlock.except) > 0))`,
      message:
        "NetworkPolicy {{object.metadata.name}} admits traffic from anywhere on every port: a " +
        'spec.ingress[].from peer is empty or the whole address space ("{{p.ipBlock.cidr ?? "{}"}}"); ' +
        "use a podSelector, namespaceSelector or narrower ipBlock, or restrict ports",
      remediation:
        "Replace the peer with the sources that need access (`podSelector`, " +
        "`namespaceSelector`, or an `ipBlock` of the caller's CIDR), or restrict the rule's " +
        "`ports` to what must be public.",
    },
  },
  cases: {
    pass: [
      {
        name: "default deny ingress (no ingress rules)",
        resource: networkPolicy("default-deny", { podSelector: {}, policyTypes: ["Ingress"] }),
      },
      {
        name: "ingress from the frontend pods only",
        resource: networkPolicy("api-from-web", {
          policyTypes: ["Ingress"],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }],
        }),
      },
      {
        name: "the whole Internet, but only on port 443",
        resource: networkPolicy("public-https", {
          ingress: [
            {
              from: [{ ipBlock: { cidr: "0.0.0.0/0" } }],
              ports: [{ protocol: "TCP", port: 443 }],
            },
          ],
        }),
      },
      {
        name: "0.0.0.0/0 except the cloud metadata address",
        resource: networkPolicy("internet-but-metadata", {
          ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }] }],
        }),
      },
      {
        name: "an empty ingress rule in an egress-only policy is not enforced",
        resource: networkPolicy("egress-only", {
          policyTypes: ["Egress"],
          ingress: [{}],
          egress: [],
        }),
      },
    ],
    fail: [
      fromYaml("cases/disallow-allow-all-ingress-networkpolicy/fail-allow-all-ingress.yaml", {
        rules: ["anySource"],
      }),
      {
        name: "a rule with an empty from list, policyTypes left out",
        resource: networkPolicy("empty-from", { ingress: [{ from: [] }] }),
        rules: ["anySource"],
      },
      {
        name: "an empty peer after a narrow one",
        resource: networkPolicy("empty-peer", {
          policyTypes: ["Ingress"],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }, {}] }],
        }),
        rules: ["openPeer"],
      },
      {
        name: "ipBlock ::/0 in the second rule",
        resource: networkPolicy("ipv6-anywhere", {
          policyTypes: ["Ingress", "Egress"],
          ingress: [
            { from: [{ namespaceSelector: { matchLabels: { team: "shop" } } }] },
            { from: [{ ipBlock: { cidr: "::/0" } }] },
          ],
        }),
        rules: ["openPeer"],
      },
    ],
  },
});
