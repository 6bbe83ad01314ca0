export { emitWebhook, webhookPolicies } from "./emit-webhook.js";
export {
  REGISTRY_SECRET_NAME,
  readsRegistry,
  readsScans,
  VULNERABILITY_REPORT_KIND,
} from "./webhook-images.js";
export { TLS_SECRET_NAME, WEBHOOK_NAME } from "./webhook-names.js";
export {
  checkWebhookOptions,
  DEFAULT_WEBHOOK_NAMESPACE,
  DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
  MAX_WEBHOOK_TIMEOUT_SECONDS,
  WEBHOOK_FAILURE_POLICIES,
  type WebhookFailurePolicy,
  type WebhookOptions,
} from "./webhook-options.js";
export { READ_VERBS } from "./webhook-rbac.js";
export { routedResources, webhookRulesOf } from "./webhook-rules.js";
