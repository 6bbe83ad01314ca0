/**
 * The one way Charter talks to a live cluster: @kubernetes/client-node's kubeconfig, auth
 * (tokens, client certificates, exec and OIDC plugins, in-cluster service accounts) and HTTP
 * layer, with the bodies read as JSON text. The client's typed APIs are not used to read
 * objects: their deserializer turns timestamps into Dates and drops every field the client's
 * models do not know (a field newer than the client), and a scan must judge objects exactly
 * as the server stores them.
 *
 * Failures a user can cause are sorted into two kinds:
 * - the cluster cannot be used at all (unreachable, a certificate that does not verify, a
 *   token the server refuses): `ClusterUnusable`, one line naming the cause and what to do;
 * - one request was refused (403 for a kind the user may not list, 404…): `ClusterRequestError`
 *   with the status and the server's own message, for the caller to report and go on.
 */

import { CharterError } from "@charter/ir";
import {
  createConfiguration,
  HttpMethod,
  type KubeConfig,
  ServerConfiguration,
} from "@kubernetes/client-node";

/** How long one request may take, connection and body included (a page of a list). */
const REQUEST_TIMEOUT_MS = 60_000;

/** The cluster cannot be used at all: the run stops with this one line (what, then what to do). */
export class ClusterUnusable extends CharterError {
  constructor(what: string, todo: string) {
    super(`${what}; ${todo}`);
  }
}

/** One request the server answered with an error status. */
export class ClusterRequestError extends Error {
  constructor(
    readonly status: number,
    /** The server's own words (a Status object's message), or the body's start. */
    readonly serverMessage: string,
    readonly reason: string | undefined,
  ) {
    super(`${status}${reason ? ` ${reason}` : ""}: ${serverMessage}`);
  }
}

export interface ClusterResponse {
  readonly status: number;
  readonly text: string;
}

export interface ClusterClient {
  /** The context's name, as reports name the cluster (`cluster <context>`). */
  readonly context: string;
  /** The API server's URL. */
  readonly server: string;
  /** The context's namespace, or `default`. */
  readonly namespace: string;
  /** GET a path, the body parsed as JSON; a status outside 2xx is a ClusterRequestError. */
  getJson(path: string, query?: Readonly<Record<string, string>>): Promise<unknown>;
  /** Any request; the status is the caller's to judge (connection failures still throw). */
  request(
    method: "GET" | "PATCH" | "DELETE",
    path: string,
    options?: {
      readonly query?: Readonly<Record<string, string>>;
      readonly body?: string;
      readonly contentType?: string;
    },
  ): Promise<ClusterResponse>;
}

/** The client for the kubeconfig's current context. */
export function clusterClient(kc: KubeConfig): ClusterClient {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) {
    throw new ClusterUnusable(
      `the kubeconfig's context ${JSON.stringify(kc.getCurrentContext())} names no cluster`,
      "pick another with --context, or fix the kubeconfig",
    );
  }
  const context = kc.getCurrentContext();
  const namespace = kc.getContextObject(context)?.namespace || "default";
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
  });

  async function request(
    method: "GET" | "PATCH" | "DELETE",
    path: string,
    options: {
      readonly query?: Readonly<Record<string, string>>;
      readonly body?: string;
      readonly contentType?: string;
    } = {},
  ): Promise<ClusterResponse> {
    const httpMethod =
      method === "GET" ? HttpMethod.GET : method === "PATCH" ? HttpMethod.PATCH : HttpMethod.DELETE;
    const req = configuration.baseServer.makeRequestContext(path, httpMethod);
    req.setHeaderParam("Accept", "application/json");
    for (const [name, value] of Object.entries(options.query ?? {})) req.setQueryParam(name, value);
    if (options.body !== undefined) {
      req.setHeaderParam("Content-Type", options.contentType ?? "application/json");
      req.setBody(options.body);
    }
    req.setSignal(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
    try {
      await kc.applySecurityAuthentication(req);
      const response = await configuration.httpApi.send(req).toPromise();
      const text = await response.body.text();
      if (response.httpStatusCode === 401) throw unauthorized(context, cluster?.server ?? "", text);
      return { status: response.httpStatusCode, text };
    } catch (error) {
      if (error instanceof ClusterUnusable) throw error;
      throw unusable(context, cluster?.server ?? "", error);
    }
  }

  return {
    context,
    server: cluster.server,
    namespace,
    request,
    async getJson(path, query) {
      const response = await request("GET", path, query ? { query } : {});
      if (response.status < 200 || response.status > 299) throw requestError(response);
      try {
        return JSON.parse(response.text);
      } catch {
        throw new ClusterUnusable(
          `cluster ${context}: ${path} did not answer with JSON (${response.text.slice(0, 80)}…)`,
          "is the server a Kubernetes API server?",
        );
      }
    },
  };
}

/** The error of a non-2xx answer, with the server's own message when it sent a Status. */
export function requestError(response: ClusterResponse): ClusterRequestError {
  let message = response.text.trim().slice(0, 300);
  let reason: string | undefined;
  try {
    const status = JSON.parse(response.text) as { message?: unknown; reason?: unknown };
    if (typeof status.message === "string") message = status.message;
    if (typeof status.reason === "string") reason = status.reason;
  } catch {
    // Not a Status: the body's start says what it is.
  }
  return new ClusterRequestError(response.status, message, reason);
}

function unauthorized(context: string, server: string, text: string): ClusterUnusable {
  const { serverMessage } = requestError({ status: 401, text });
  return new ClusterUnusable(
    `cluster ${context} (${server}) refused the credentials: 401 Unauthorized (${serverMessage})`,
    "the token or certificate is invalid or expired: log in again, or pick another user with --context or --kubeconfig",
  );
}

/** Node and TLS error codes, in words a user can act on. */
const CAUSES: Readonly<Record<string, readonly [string, string]>> = {
  ECONNREFUSED: ["nothing listens there (connection refused)", "is the cluster running?"],
  ECONNRESET: ["the connection was reset", "is the address a Kubernetes API server?"],
  ENOTFOUND: ["the host name does not resolve", "check the server address in the kubeconfig"],
  EAI_AGAIN: ["the host name does not resolve (DNS)", "check the server address and DNS"],
  EHOSTUNREACH: ["the host cannot be reached", "check the network and the server address"],
  ENETUNREACH: ["the network cannot be reached", "check the network and the server address"],
  ETIMEDOUT: ["the connection timed out", "is the server reachable from here?"],
  DEPTH_ZERO_SELF_SIGNED_CERT: [
    "its certificate is self-signed and not trusted",
    "set certificate-authority (or certificate-authority-data) in the kubeconfig to the cluster's CA",
  ],
  SELF_SIGNED_CERT_IN_CHAIN: [
    "its certificate chain ends in an untrusted self-signed CA",
    "set certificate-authority in the kubeconfig to the cluster's CA",
  ],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: [
    "its certificate is not signed by the CA the kubeconfig trusts",
    "set certificate-authority in the kubeconfig to the cluster's CA",
  ],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [
    "its certificate is not signed by the CA the kubeconfig trusts",
    "set certificate-authority in the kubeconfig to the cluster's CA",
  ],
  CERT_HAS_EXPIRED: ["its certificate has expired", "renew the API server's certificate"],
  ERR_TLS_CERT_ALTNAME_INVALID: [
    "its certificate is not valid for this host name",
    "use the address the certificate names, or set tls-server-name in the kubeconfig",
  ],
  EPROTO: ["the TLS handshake failed", "is the address an HTTPS Kubernetes API server?"],
};

function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code in CAUSES) return code;
    const errno = (e as { errno?: unknown }).errno;
    if (typeof errno === "string" && errno in CAUSES) return errno;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function unusable(context: string, server: string, error: unknown): ClusterUnusable {
  const where = `cluster ${context} (${server})`;
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === "AbortError" || name === "TimeoutError") {
    return new ClusterUnusable(
      `${where} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`,
      "is the server reachable and not overloaded?",
    );
  }
  const code = codeOf(error);
  if (code !== undefined) {
    const [cause, hint] = CAUSES[code] as readonly [string, string];
    return new ClusterUnusable(`cannot connect to ${where}: ${cause} [${code}]`, hint);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ClusterUnusable(
    `cannot use ${where}: ${message.split("\n")[0]}`,
    "check the kubeconfig (server, certificate-authority, user)",
  );
}
