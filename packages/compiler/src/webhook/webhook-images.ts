/**
 * What image rules (packages/ir README, item 18) add to the webhook's manifests. The webhook
 * reads images' registries at admission and, for a `vulnerabilities` requirement, the Trivy
 * Operator's VulnerabilityReports from a watch cache (packages/server, webhook/image-facts.ts):
 *
 * - RBAC: `list` and `watch` on `aquasecurity.github.io` `vulnerabilityreports`, only when a
 *   policy reads scans (webhook-rbac.ts);
 * - egress: HTTPS (443) and DNS (53) to any address, only when a policy reads a registry — a
 *   registry is a name to resolve, at an address no manifest can know (a registry on another
 *   port needs a NetworkPolicy of your own);
 * - credentials: the optional Secret `charter-webhook-registry` (type
 *   `kubernetes.io/dockerconfigjson`), its `.dockerconfigjson` mounted as `config.json` under
 *   `DOCKER_CONFIG`; absent, registries are read anonymously;
 * - the deadline: `--image-deadline`, 70% of the webhook's timeout, so a slow registry is an
 *   error the webhook answers (a denial with the reason), not a timeout the API server meets.
 *
 * The VulnerabilityReport kind is written once, here: packages/server's watch cache imports it
 * (caches/cached-kinds.ts), so what is granted is what is watched.
 */
import type { InventoryKind, Policy } from "@charter/ir";

export const VULNERABILITY_REPORT_KIND: InventoryKind = {
  apiVersion: "aquasecurity.github.io/v1alpha1",
  kind: "VulnerabilityReport",
  namespaced: true,
};

export const REGISTRY_SECRET_NAME = "charter-webhook-registry";
export const DOCKER_CONFIG_MOUNT_PATH = "/docker-config";
export const REGISTRY_PORTS = [443] as const;
export const DNS_PORT = 53;

/** A `vulnerabilities` requirement: the webhook caches VulnerabilityReports. */
export function readsScans(policy: Policy): boolean {
  return policy.images?.requirements.some((r) => r.kind === "vulnerabilities") === true;
}

/** A requirement other than `digest`: the webhook reads the image's registry. */
export function readsRegistry(policy: Policy): boolean {
  return policy.images?.requirements.some((r) => r.kind !== "digest") === true;
}

/** `--image-deadline` for a webhook timeout: 70% of it, to a tenth of a second. */
export function imageDeadlineSeconds(timeoutSeconds: number): string {
  return String(Math.round(timeoutSeconds * 7) / 10);
}
