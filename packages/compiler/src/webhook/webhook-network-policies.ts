/**
 * The webhook's NetworkPolicies: its Pods let in only HTTPS on the webhook's port and let out only
 * HTTPS to the API server, and nothing when no policy reads other objects. In a namespace of its
 * own, also a default deny for the whole namespace (what Charter's
 * `require-default-deny-network-policy` asks of every namespace); never in a shared one (`default`,
 * `kube-system`…), where it would cut off every other workload.
 *
 * - Ingress names no source: the API server calls from an address no manifest can know (a
 *   control-plane node, a managed service's network), so the port is the restriction.
 * - Egress to ports 443 and 6443 on any address: in-cluster clients reach the API server at the
 *   `kubernetes` Service's IP (443) or, once the CNI resolves it, its endpoints (often 6443). No
 *   DNS: the client reads KUBERNETES_SERVICE_HOST.
 * - When an image rule reads a registry: also 443 and DNS (53, UDP and TCP) to any address
 *   (webhook-images.ts).
 * Kubelet probes come from the node, which CNIs let through whatever the policies say.
 *
 * TODO(issue 16, image rules): a policy with `images` makes the webhook ask registries (and, for
 * keyless attestors, Sigstore's TUF repository) at admission. These policies let out nothing but
 * the API server — no DNS, no registry — so every image judgement would fail closed (an error,
 * denied). When the webhook judges image rules, egress must open to the registries (HTTPS on any
 * address, or the operator's registry CIDRs) and to DNS, and `timeoutSeconds` should leave time
 * for a registry round trip. Until then `emitWebhook` writes these policies unchanged for image
 * policies (packages/compiler/src/kyverno/README.md, "Image rules").
 */

import { DNS_PORT, REGISTRY_PORTS } from "./webhook-images.js";
import { CONTAINER_PORT, SELECTOR_LABELS, WEBHOOK_LABELS } from "./webhook-names.js";
import type { WebhookOptions } from "./webhook-options.js";

export const API_SERVER_PORTS = [443, 6443] as const;

function networkPolicy(options: WebhookOptions, name: string, spec: object): object {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: options.namespace, labels: WEBHOOK_LABELS },
    spec,
  };
}

export function networkPolicyDocuments(
  options: WebhookOptions,
  readsCluster: boolean,
  ownsNamespace: boolean,
  readsRegistry = false,
): object[] {
  const tcp = (port: number) => ({ protocol: "TCP", port });
  const ports = [
    ...new Set<number>([
      ...(readsCluster ? API_SERVER_PORTS : []),
      ...(readsRegistry ? REGISTRY_PORTS : []),
    ]),
  ].sort((a, b) => a - b);
  const egress = [
    ...(ports.length > 0 ? [{ ports: ports.map(tcp) }] : []),
    ...(readsRegistry ? [{ ports: [{ protocol: "UDP", port: DNS_PORT }, tcp(DNS_PORT)] }] : []),
  ];
  return [
    ...(ownsNamespace
      ? [
          networkPolicy(options, "default-deny", {
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
          }),
        ]
      : []),
    networkPolicy(options, "charter-webhook-ingress", {
      podSelector: { matchLabels: SELECTOR_LABELS },
      policyTypes: ["Ingress"],
      ingress: [{ ports: [tcp(CONTAINER_PORT)] }],
    }),
    // No egress rule at all when nothing is read: the Pods then reach nothing.
    networkPolicy(options, "charter-webhook-egress", {
      podSelector: { matchLabels: SELECTOR_LABELS },
      policyTypes: ["Egress"],
      ...(egress.length > 0 ? { egress } : {}),
    }),
  ];
}
