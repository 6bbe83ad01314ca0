/**
 * The names and labels of the objects a webhook deployment is made of. Cluster-scoped objects
 * (the ValidatingWebhookConfiguration, the ClusterRole and its binding) are named `charter-webhook`
 * whatever the namespace: a cluster runs one Charter webhook, since two would judge every request
 * twice.
 */
import { MANAGED_BY } from "../admission/metadata.js";

export const WEBHOOK_NAME = "charter-webhook";

/** The Secret holding the serving certificate (`kubernetes.io/tls`: tls.crt, tls.key). */
export const TLS_SECRET_NAME = "charter-webhook-tls";

/** Where the Secret is mounted; `charter webhook --tls-cert /tls/tls.crt --tls-key /tls/tls.key`. */
export const TLS_MOUNT_PATH = "/tls";

/** The port `charter webhook` listens on, and the Service's port the API server calls. */
export const CONTAINER_PORT = 8443;
export const SERVICE_PORT = 443;
export const VALIDATE_PATH = "/validate";

/** The labels the Deployment selects its Pods by (never changed once applied). */
export const SELECTOR_LABELS = { "app.kubernetes.io/name": WEBHOOK_NAME } as const;

export const WEBHOOK_LABELS = {
  ...SELECTOR_LABELS,
  "app.kubernetes.io/component": "admission-webhook",
  "app.kubernetes.io/part-of": "charter",
  ...MANAGED_BY,
} as const;

/** `<namespace>/<Certificate>` for cert-manager's CA injector: the Certificate is documented in docs/webhook.md. */
export function certManagerCertificate(namespace: string): string {
  return `${namespace}/${WEBHOOK_NAME}`;
}
