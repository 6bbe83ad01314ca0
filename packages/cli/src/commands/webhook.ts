/**
 * `charter webhook`: Charter's own validating admission webhook. Loads the policies, exceptions,
 * parameters and system namespaces as `charter check` does, and judges each AdmissionReview
 * with the IR engine — the verdicts `charter check` gives, by construction. Serves HTTPS with
 * the given certificate (reloaded when its files change) or, with --self-signed, one it makes
 * with its own CA for local use. Runs until SIGTERM or SIGINT, then stops accepting, finishes
 * the reviews in flight, flushes the decision log and exits 0.
 *
 * Image rules read the registry at admission through one client and one verification cache
 * (registryImages), credentials from `--docker-config` (a mounted Secret) or `$DOCKER_CONFIG`,
 * every read of a review within `--image-deadline` seconds (below the API server's timeout).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { webhookPolicies } from "@charter/compiler";
import {
  CharterError,
  isScanOnly,
  type Policy,
  scanOnlyReasons,
  unconfiguredReason,
} from "@charter/ir";
import { inForce, inventoryKindsOf } from "@charter/runtime";
import {
  checkTlsPair,
  createJudge,
  createWebhookServer,
  type DecisionLog,
  decisionLabels,
  type JudgingContext,
  jsonLogger,
  type Logger,
  type LogLevel,
  openDecisionLog,
  readsScans,
  readTlsPair,
  registryImages,
  selfSignedCertificates,
  staticJudgingContext,
  type TlsPair,
  type TlsWatcher,
  VULNERABILITY_REPORT_KIND,
  type WebhookServer,
  watchTlsFiles,
} from "@charter/server";
import type { UnsyncedMode } from "@charter/server/webhook-caches";
import { clockOf } from "../clock.js";
import { systemNamespacesOf } from "../config.js";
import { type Context, type PolicyOptions, projectPoliciesAndExceptions } from "../context.js";
import { EXIT_OK } from "../exit.js";
import { listenError } from "../listen-error.js";
import { shutdownSignal } from "../shutdown-signal.js";
import { VERSION } from "../version.js";

export interface WebhookOptions extends PolicyOptions {
  readonly host: string;
  readonly port: number;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly selfSigned?: boolean;
  readonly caOut?: string;
  readonly dnsName?: string[];
  readonly decisionLogDir?: string;
  readonly decisionLogUrl?: string;
  readonly decisionLogTokenFile?: string;
  readonly decisionLogCa?: string;
  readonly logLevel: LogLevel;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly unsynced: UnsyncedMode;
  readonly now?: string;
  readonly dockerConfig?: string;
  readonly insecureRegistry?: string[];
  readonly trustedRoot?: string;
  /** Seconds every registry read of one review must finish within (default 7). */
  readonly imageDeadline?: number;
}

/** How the webhook learns the objects cross-resource policies read (webhook/caches/). */
export type JudgingContextFactory = (
  policies: readonly Policy[],
  logger: Logger,
) => JudgingContext | Promise<JudgingContext>;

/**
 * The watch caches of the kinds the policies read (webhook/caches/), from --kubeconfig or the
 * pod's service account; a static, synced context when no policy reads beyond the object (then
 * no cluster is needed at all, and @kubernetes/client-node is never loaded).
 */
export function watchCaches(options: WebhookOptions): JudgingContextFactory {
  return async (policies, logger) => {
    // The policies' inventory kinds, and the VulnerabilityReports a vulnerabilities gate reads.
    const kinds = [
      ...inventoryKindsOf(policies),
      ...(policies.some(readsScans) ? [VULNERABILITY_REPORT_KIND] : []),
    ];
    if (kinds.length === 0) return staticJudgingContext([], []);
    const { ClusterJudgingContext } = await import("@charter/server/webhook-caches");
    const context = new ClusterJudgingContext({
      policies,
      connection: {
        ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
        ...(options.context ? { context: options.context } : {}),
      },
      unsynced: options.unsynced,
    });
    logger.log("info", "watching the kinds the policies read", {
      kinds: kinds.map((kind) => `${kind.apiVersion}/${kind.kind}`),
    });
    return context;
  };
}

export async function webhook(ctx: Context, options: WebhookOptions): Promise<number> {
  return webhookUntil(ctx, options, shutdownSignal());
}

/** Serves until `stop` resolves; what `webhook` runs with SIGTERM/SIGINT as the stop. */
export async function webhookUntil(
  ctx: Context,
  options: WebhookOptions,
  stop: Promise<string>,
  judgingContext: JudgingContextFactory = watchCaches(options),
): Promise<number> {
  checkOptions(options);
  const logger = jsonLogger((line) => ctx.output.err(line), options.logLevel);
  const project = await projectPoliciesAndExceptions(ctx, options);
  const { exceptions, config } = project;
  // What `charter build --target webhook` routes to the webhook: a scan-only policy (one that
  // leaves out every admission target) is not judged at admission here either.
  const policies = webhookPolicies(project.policies);
  for (const policy of project.policies.filter(isScanOnly)) {
    logger.log("info", "a scan-only policy is not judged at admission", {
      policy: policy.name,
      reason: scanOnlyReasons(policy).join("; "),
    });
  }
  for (const policy of project.policies) {
    const unconfigured = unconfiguredReason(policy);
    if (unconfigured === undefined) continue;
    logger.log("warn", "a policy that is not configured is not judged at admission", {
      policy: policy.name,
      reason: unconfigured,
    });
  }
  // --now: one fixed clock for every review (tests, replays); else each review's own time.
  const fixed = options.now === undefined ? undefined : clockOf(options.now);
  const now = fixed === undefined ? Date.now : () => fixed;

  const tls = options.selfSigned ? selfSigned(ctx, options) : certificateFiles(ctx, options);
  for (const exception of exceptions) {
    // Exceptions are judged by the clock of each review; one already past is worth a word now.
    if (!inForce(exception, now())) {
      logger.log("warn", "an exception has expired and is no longer applied", {
        exception: exception.name,
        owner: exception.owner,
        expires: exception.expires,
      });
    }
  }
  const context = await judgingContext(policies, logger);
  let server: WebhookServer | undefined;
  let decisionLog: DecisionLog | undefined;
  let watcher: TlsWatcher | undefined;
  // From here on the caches may be watching: every way out closes them, or the process stays.
  try {
    const judge = createJudge(
      { policies, exceptions, systemNamespaces: systemNamespacesOf(config) },
      context,
      { images: imagesOf(ctx, options) },
    );
    decisionLog = await decisionLogOf(ctx, options, logger, () => server);
    try {
      server = await createWebhookServer({
        host: options.host,
        port: options.port,
        tls: tls.pair,
        judge,
        now,
        context,
        labels: decisionLabels(VERSION),
        logger,
        ...(decisionLog ? { decisionLog } : {}),
      });
    } catch (error) {
      throw listenError(error, options.host, options.port);
    }
    const running = server;
    if (tls.files) {
      watcher = watchTlsFiles({ ...tls.files, logger, onReload: (pair) => running.setTls(pair) });
    }
    logger.log("info", "listening", {
      url: `${server.url}/validate`,
      policies: policies.length,
      exceptions: exceptions.length,
      tls: tls.files ? "files" : "self-signed",
      decisionLog: { dir: options.decisionLogDir ?? null, url: options.decisionLogUrl ?? null },
    });
    const signal = await stop;
    logger.log("info", "shutting down: finishing the reviews in flight", { signal });
    watcher?.close();
    await server.close();
    logger.log("info", "stopped");
    return EXIT_OK;
  } catch (error) {
    watcher?.close();
    if (server) await server.close();
    else {
      await decisionLog?.close();
      await context.close();
    }
    throw error;
  }
}

/** One registry client and verification cache for the process (webhook/image-facts.ts). */
function imagesOf(ctx: Context, options: WebhookOptions) {
  const dockerConfig = options.dockerConfig ? resolve(ctx.cwd, options.dockerConfig) : undefined;
  if (dockerConfig !== undefined && !existsSync(dockerConfig)) {
    throw new CharterError(
      `--docker-config ${options.dockerConfig} does not exist`,
      { file: dockerConfig },
      "mount the Secret with the registries' credentials (type kubernetes.io/dockerconfigjson, key .dockerconfigjson) and give its path",
    );
  }
  return registryImages({
    deadlineMs: Math.round((options.imageDeadline ?? 7) * 1000),
    ...(dockerConfig ? { dockerConfig } : {}),
    ...(options.insecureRegistry?.length ? { insecureRegistries: options.insecureRegistry } : {}),
    ...(options.trustedRoot ? { trustedRoot: resolve(ctx.cwd, options.trustedRoot) } : {}),
  });
}

function checkOptions(options: WebhookOptions): void {
  const files = Boolean(options.tlsCert) || Boolean(options.tlsKey);
  if (options.selfSigned && files) {
    throw new CharterError(
      "--self-signed and --tls-cert/--tls-key exclude each other",
      {},
      "serve your certificate with --tls-cert and --tls-key, or let --self-signed make one",
    );
  }
  if (!options.selfSigned && !(options.tlsCert && options.tlsKey)) {
    throw new CharterError(
      files
        ? "--tls-cert and --tls-key go together"
        : "charter webhook serves HTTPS only: it needs a certificate",
      {},
      "pass --tls-cert FILE --tls-key FILE (a Secret from cert-manager), or --self-signed for local use",
    );
  }
  if (!options.selfSigned && (options.caOut || options.dnsName?.length)) {
    throw new CharterError(
      "--ca-out and --dns-name go with --self-signed",
      {},
      "add --self-signed, or drop them",
    );
  }
  if (options.decisionLogUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(options.decisionLogUrl);
    } catch {}
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw new CharterError(
        `--decision-log-url ${options.decisionLogUrl} is not an http(s) URL`,
        {},
        "give the /logs endpoint of charter serve, e.g. http://charter-serve:8282/logs",
      );
    }
  }
}

interface ServingTls {
  readonly pair: TlsPair;
  /** The files to watch; absent for a self-signed pair. */
  readonly files?: { readonly certFile: string; readonly keyFile: string };
}

function certificateFiles(ctx: Context, options: WebhookOptions): ServingTls {
  const certFile = resolve(ctx.cwd, options.tlsCert as string);
  const keyFile = resolve(ctx.cwd, options.tlsKey as string);
  try {
    return { pair: readTlsPair(certFile, keyFile), files: { certFile, keyFile } };
  } catch (error) {
    throw new CharterError(
      `cannot serve with --tls-cert ${options.tlsCert} and --tls-key ${options.tlsKey}: ${(error as Error).message}`,
      { file: certFile },
      "give a PEM certificate and the PEM private key it was issued for",
    );
  }
}

/** A CA and a serving certificate for 127.0.0.1, localhost and --dns-name; the CA printed. */
function selfSigned(ctx: Context, options: WebhookOptions): ServingTls {
  const hosts = ["127.0.0.1", "localhost", ...(options.dnsName ?? [])];
  const { ca, serving } = selfSignedCertificates({ hosts });
  checkTlsPair(serving);
  if (options.caOut) writeAtomically(resolve(ctx.cwd, options.caOut), ca.cert);
  ctx.output.out(
    [
      `# charter webhook --self-signed: a serving certificate for ${hosts.join(", ")}, valid 365 days,`,
      "# signed by this CA (made for this run only; trust it to call the webhook):",
      ca.cert.trimEnd(),
      "# the same, as the caBundle of a ValidatingWebhookConfiguration's clientConfig:",
      `caBundle: ${Buffer.from(ca.cert).toString("base64")}`,
    ].join("\n"),
  );
  return { pair: serving };
}

function writeAtomically(file: string, text: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch (error) {
    throw new CharterError(`cannot write --ca-out ${file}: ${(error as Error).message}`, { file });
  }
}

async function decisionLogOf(
  ctx: Context,
  options: WebhookOptions,
  logger: Logger,
  server: () => WebhookServer | undefined,
): Promise<DecisionLog | undefined> {
  if (!options.decisionLogDir && !options.decisionLogUrl) return undefined;
  const token = options.decisionLogTokenFile
    ? readText(resolve(ctx.cwd, options.decisionLogTokenFile), "--decision-log-token-file").trim()
    : undefined;
  const ca = options.decisionLogCa
    ? Buffer.from(readText(resolve(ctx.cwd, options.decisionLogCa), "--decision-log-ca"))
    : undefined;
  return openDecisionLog({
    ...(options.decisionLogDir ? { dir: resolve(ctx.cwd, options.decisionLogDir) } : {}),
    ...(options.decisionLogUrl ? { url: options.decisionLogUrl } : {}),
    ...(token ? { token } : {}),
    ...(ca ? { ca } : {}),
    logger,
    onFailure: (events) => server()?.metrics.decisionLogFailed(events),
  });
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    throw new CharterError(`cannot read ${flag} file ${file}`, { file });
  }
}
