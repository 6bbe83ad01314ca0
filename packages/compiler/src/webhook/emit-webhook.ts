/**
 * The `webhook` build: the manifests that run Charter's own validating admission webhook
 * (`charter webhook`, the IR engine at admission) for a policy set. File names sort in the order
 * `kubectl apply -f DIR` must create them: the Namespace first, the webhook configuration last,
 * so the API server is told to call the webhook after the Service exists (docs/webhook.md: wait
 * for the rollout before applying it).
 *
 * The policies are all those not scan-only (`isScanOnly`: a policy leaving out every admission
 * target is not judged at admission by Charter's webhook either). The webhook judges with the IR
 * engine, which expresses every construct, so no other policy is left out.
 */
import { isScanOnly, type Policy, unconfiguredReason } from "@charter/ir";
import { checkSystemNamespaces } from "../admission/system-namespaces.js";
import { checkUniqueNames } from "../admission/unique-names.js";
import { toYaml } from "../yaml.js";
import { validatingWebhookConfiguration } from "./validating-webhook-configuration.js";
import { readsRegistry } from "./webhook-images.js";
import { networkPolicyDocuments } from "./webhook-network-policies.js";
import { checkWebhookOptions, type WebhookOptions } from "./webhook-options.js";
import { rbacDocuments } from "./webhook-rbac.js";
import {
  deploymentDocument,
  namespaceDocument,
  ownsNamespace,
  podDisruptionBudgetDocument,
  serviceAccountDocument,
  serviceDocument,
} from "./webhook-workload.js";

/**
 * The policies the webhook judges at admission: every policy that is not scan-only and not
 * waiting for its signing keys (`unconfiguredReason`).
 */
export function webhookPolicies(policies: readonly Policy[]): Policy[] {
  return policies.filter(
    (policy) => !isScanOnly(policy) && unconfiguredReason(policy) === undefined,
  );
}

/** `file → YAML`, in apply order; the same policies and options give byte-identical files. */
export function emitWebhook(
  policies: readonly Policy[],
  options: WebhookOptions,
): Map<string, string> {
  checkWebhookOptions(options);
  checkSystemNamespaces(options.systemNamespaces, "webhook");
  const judged = webhookPolicies(policies);
  checkUniqueNames(judged, "webhook");
  const rbac = rbacDocuments(judged, options.namespace);
  const readsCluster = rbac.length > 0;
  const registry = judged.some(readsRegistry);
  const files = new Map<string, string>();
  const add = (file: string, documents: readonly (object | undefined)[]) => {
    const present = documents.filter((document) => document !== undefined);
    if (present.length > 0) files.set(file, toYaml(present));
  };
  add("00-namespace.yaml", [namespaceDocument(options)]);
  add("10-service-account.yaml", [serviceAccountDocument(options, readsCluster)]);
  add("20-rbac.yaml", rbac);
  add(
    "25-network-policies.yaml",
    networkPolicyDocuments(options, readsCluster, ownsNamespace(options), registry),
  );
  add("30-deployment.yaml", [deploymentDocument(options, readsCluster, registry)]);
  add("40-pod-disruption-budget.yaml", [podDisruptionBudgetDocument(options)]);
  add("50-service.yaml", [serviceDocument(options)]);
  add("90-validating-webhook-configuration.yaml", [
    validatingWebhookConfiguration(judged, options),
  ]);
  return files;
}
