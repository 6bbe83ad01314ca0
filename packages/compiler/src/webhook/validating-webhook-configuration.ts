/**
 * The ValidatingWebhookConfiguration (admissionregistration.k8s.io/v1) that sends the requests
 * the policies judge to `charter webhook`.
 *
 * Two entries, each routing resources the other does not, so the API server calls the webhook
 * once per request (the webhook judges every policy on each call; two calls would judge twice
 * and warn twice):
 * - `namespaces.charter.dev`: the core Namespace kind. Its namespace selector reads the
 *   Namespace's own name, which leaves out the system Namespaces themselves, as IR item 16 says,
 *   but would wrongly read a policy's namespace filter (the IR lets a Namespace pass one).
 * - `resources.charter.dev`: every other kind, where the namespace selector reads the object's
 *   namespace (and never skips a cluster-scoped object), exactly like a policy's namespace filter,
 *   so that filter can narrow it too (webhook-narrowing.ts).
 *
 * Both leave out the system namespaces and the webhook's own namespace: a webhook that judged its
 * own Pods could never be repaired once down with `failurePolicy: Fail`.
 */
import type { KindRef, Policy } from "@charter/ir";
import { isNamespaceKind } from "../admission/kinds.js";
import { matchedKinds } from "../admission/match-constraints.js";
import {
  certManagerCertificate,
  SERVICE_PORT,
  VALIDATE_PATH,
  WEBHOOK_LABELS,
  WEBHOOK_NAME,
} from "./webhook-names.js";
import {
  labelConditionFor,
  type NamedCondition,
  namespaceRequirementsFor,
} from "./webhook-narrowing.js";
import type { WebhookOptions } from "./webhook-options.js";
import { routedResources, type WebhookRule, webhookRulesOf } from "./webhook-rules.js";

interface EntryPlan {
  readonly name: string;
  readonly kinds: (ref: KindRef) => boolean;
  /** Whether the policies' namespace filters mean the same as this entry's namespace selector. */
  readonly namespaceFiltersApply: boolean;
}

const ENTRIES: readonly EntryPlan[] = [
  { name: "namespaces.charter.dev", kinds: isNamespaceKind, namespaceFiltersApply: false },
  {
    name: "resources.charter.dev",
    kinds: (ref) => !isNamespaceKind(ref),
    namespaceFiltersApply: true,
  },
];

/** Never judged: the system namespaces, then the webhook's own. */
export function neverJudgedNamespaces(options: WebhookOptions): string[] {
  return [...new Set([...options.systemNamespaces, options.namespace])];
}

function clientConfig(options: WebhookOptions): object {
  return {
    service: {
      namespace: options.namespace,
      name: WEBHOOK_NAME,
      path: VALIDATE_PATH,
      port: SERVICE_PORT,
    },
    ...(options.caBundlePem !== undefined
      ? { caBundle: Buffer.from(options.caBundlePem, "utf8").toString("base64") }
      : {}),
  };
}

function entry(
  plan: EntryPlan,
  policies: readonly Policy[],
  options: WebhookOptions,
): object | undefined {
  const routing = policies.filter((policy) => matchedKinds(policy.match).some(plan.kinds));
  const rules: WebhookRule[] = webhookRulesOf(routedResources(routing, plan.kinds));
  if (rules.length === 0) return undefined;
  const requirements = namespaceRequirementsFor(
    routing,
    neverJudgedNamespaces(options),
    plan.namespaceFiltersApply,
  );
  const labels: NamedCondition | undefined = labelConditionFor(routing);
  return {
    name: plan.name,
    admissionReviewVersions: ["v1"],
    clientConfig: clientConfig(options),
    failurePolicy: options.failurePolicy,
    matchPolicy: "Equivalent",
    ...(labels ? { matchConditions: [labels] } : {}),
    namespaceSelector: requirements.length > 0 ? { matchExpressions: requirements } : {},
    objectSelector: {},
    rules,
    sideEffects: "None",
    timeoutSeconds: options.timeoutSeconds,
  };
}

/** The configuration, or undefined when no policy judges anything at admission. */
export function validatingWebhookConfiguration(
  policies: readonly Policy[],
  options: WebhookOptions,
): object | undefined {
  const webhooks = ENTRIES.flatMap((plan) => entry(plan, policies, options) ?? []);
  if (webhooks.length === 0) return undefined;
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: {
      name: WEBHOOK_NAME,
      labels: WEBHOOK_LABELS,
      ...(options.caBundlePem === undefined
        ? {
            annotations: {
              "cert-manager.io/inject-ca-from": certManagerCertificate(options.namespace),
            },
          }
        : {}),
    },
    webhooks,
  };
}
