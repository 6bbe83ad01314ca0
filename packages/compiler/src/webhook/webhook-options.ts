/**
 * What a deployment of Charter's webhook is built with beyond the policies: where it runs, which
 * image, and how the API server treats it when it cannot answer. Checked here, so a bad value is
 * a clear error (exit 2 in the CLI) before anything is written.
 */
import { CharterError, NAMESPACE_NAME_PATTERN } from "@charter/ir";

export type WebhookFailurePolicy = "Fail" | "Ignore";

export const WEBHOOK_FAILURE_POLICIES: readonly WebhookFailurePolicy[] = ["Fail", "Ignore"];

export interface WebhookOptions {
  /** The namespace the webhook runs in (and which it never judges, so it can always be fixed). */
  readonly namespace: string;
  /** The container image (`charter webhook` inside, with the project's policies). */
  readonly image: string;
  /** What the API server does when the webhook does not answer: Fail (fail closed) or Ignore. */
  readonly failurePolicy: WebhookFailurePolicy;
  /** How long the API server waits for an answer, 1–30 seconds. */
  readonly timeoutSeconds: number;
  /**
   * The PEM of the CA that signed the webhook's serving certificate, written base64-encoded as
   * `caBundle`; absent, cert-manager's CA injector fills it (`cert-manager.io/inject-ca-from`).
   */
  readonly caBundlePem?: string;
  /** The policy set's system namespaces: never sent to the webhook. */
  readonly systemNamespaces: readonly string[];
}

export const DEFAULT_WEBHOOK_NAMESPACE = "charter-system";

/**
 * The API server's own default, and a third of its 30 s ceiling: the IR engine judges a request
 * in milliseconds and reads other objects from its watch caches, so 10 s is only reached when
 * something is wrong, and a request held longer would hold the client as long.
 */
export const DEFAULT_WEBHOOK_TIMEOUT_SECONDS = 10;

export const MAX_WEBHOOK_TIMEOUT_SECONDS = 30;

/**
 * An image reference as the distribution grammar writes it (github.com/distribution/reference):
 * an optional registry host (letters of either case, digits, `-`, dots, a port), lower-case path
 * components, an optional tag, an optional sha256 digest. Anything else (spaces, quotes, a YAML
 * line break) could never be pulled.
 */
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const IMAGE_PATTERN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`,
);

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** Throws a CharterError naming the option when a value cannot make a working deployment. */
export function checkWebhookOptions(options: WebhookOptions): WebhookOptions {
  if (!NAMESPACE_NAME_PATTERN.test(options.namespace)) {
    throw new CharterError(
      `--webhook-namespace ${JSON.stringify(options.namespace)} is not a namespace name`,
      {},
      'use lower-case letters, digits and "-", at most 63 characters',
    );
  }
  if (options.namespace === "default") {
    throw new CharterError(
      "--webhook-namespace default: the webhook's namespace is never judged, so every object in default would be admitted unjudged",
      {},
      `run it in a namespace of its own (the default is ${DEFAULT_WEBHOOK_NAMESPACE})`,
    );
  }
  if (!IMAGE_PATTERN.test(options.image)) {
    throw new CharterError(
      `--webhook-image ${JSON.stringify(options.image)} is not an image reference`,
      {},
      "write registry/repository:tag or registry/repository@sha256:<64 hex digits>",
    );
  }
  if (!WEBHOOK_FAILURE_POLICIES.includes(options.failurePolicy)) {
    throw new CharterError(
      `--webhook-failure-policy ${JSON.stringify(options.failurePolicy)} is not a failure policy`,
      {},
      "choose Fail (requests are refused while the webhook cannot answer) or Ignore (they are admitted unjudged)",
    );
  }
  const timeout = options.timeoutSeconds;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_WEBHOOK_TIMEOUT_SECONDS) {
    throw new CharterError(
      `--webhook-timeout ${JSON.stringify(String(timeout))} is not a whole number of seconds from 1 to ${MAX_WEBHOOK_TIMEOUT_SECONDS}`,
      {},
      `the API server accepts 1–${MAX_WEBHOOK_TIMEOUT_SECONDS}; the default is ${DEFAULT_WEBHOOK_TIMEOUT_SECONDS}`,
    );
  }
  if (options.caBundlePem !== undefined && !PEM_CERTIFICATE.test(options.caBundlePem)) {
    throw new CharterError(
      "--webhook-ca-bundle holds no PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)",
      {},
      "give the CA certificate that signed the webhook's serving certificate, in PEM",
    );
  }
  return options;
}
