/**
 * The `--webhook-*` options of `charter build` as the CLI reads them; what they mean is
 * @charter/compiler's (webhook/webhook-options.ts). They apply to `--target webhook` only: given
 * without it they would silently do nothing, so that is an error.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  checkWebhookOptions,
  DEFAULT_WEBHOOK_NAMESPACE,
  DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
  type WebhookFailurePolicy,
  type WebhookOptions,
} from "@charter/compiler";
import { CharterError } from "@charter/ir";
import { DEFAULT_WEBHOOK_IMAGE } from "./webhook-image.js";

export { DEFAULT_WEBHOOK_IMAGE };

export interface WebhookFlags {
  readonly webhookNamespace?: string;
  readonly webhookImage?: string;
  readonly webhookFailurePolicy?: string;
  readonly webhookTimeout?: string;
  readonly webhookCaBundle?: string;
}

const FLAG_NAMES: Readonly<Record<keyof WebhookFlags, string>> = {
  webhookNamespace: "--webhook-namespace",
  webhookImage: "--webhook-image",
  webhookFailurePolicy: "--webhook-failure-policy",
  webhookTimeout: "--webhook-timeout",
  webhookCaBundle: "--webhook-ca-bundle",
};

function readCaBundle(cwd: string, file: string): string {
  const path = resolve(cwd, file);
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : "unreadable";
    throw new CharterError(
      `--webhook-ca-bundle ${file}: cannot read the file (${reason})`,
      {},
      "give the PEM file of the CA that signed the webhook's serving certificate",
    );
  }
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_WEBHOOK_TIMEOUT_SECONDS;
  // Whole seconds only; checkWebhookOptions says which range.
  return /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
}

/** The webhook options, or undefined when the webhook is not built (then no flag may be given). */
export function parseWebhookOptions(
  flags: WebhookFlags,
  built: boolean,
  systemNamespaces: readonly string[],
  cwd: string,
): WebhookOptions | undefined {
  if (!built) {
    const given = (Object.keys(FLAG_NAMES) as (keyof WebhookFlags)[]).filter(
      (key) => flags[key] !== undefined,
    );
    if (given.length === 0) return undefined;
    throw new CharterError(
      `${given.map((key) => FLAG_NAMES[key]).join(", ")} ${given.length === 1 ? "applies" : "apply"} to the webhook target only`,
      {},
      "add webhook to --target, e.g. --target webhook",
    );
  }
  const timeout = parseTimeout(flags.webhookTimeout);
  if (Number.isNaN(timeout)) {
    throw new CharterError(
      `--webhook-timeout ${JSON.stringify(flags.webhookTimeout)} is not a whole number of seconds`,
      {},
      `give 1 to 30 (default ${DEFAULT_WEBHOOK_TIMEOUT_SECONDS})`,
    );
  }
  return checkWebhookOptions({
    namespace: flags.webhookNamespace ?? DEFAULT_WEBHOOK_NAMESPACE,
    image: flags.webhookImage ?? DEFAULT_WEBHOOK_IMAGE,
    failurePolicy: (flags.webhookFailurePolicy ?? "Fail") as WebhookFailurePolicy,
    timeoutSeconds: timeout,
    ...(flags.webhookCaBundle !== undefined
      ? { caBundlePem: readCaBundle(cwd, flags.webhookCaBundle) }
      : {}),
    systemNamespaces,
  });
}
