/**
 * Requests to the test cluster's API as kubectl sends them — create with `dryRun=All`, the
 * ephemeral-container patch of `kubectl debug` — answered with what admission said: the status,
 * the Status message of a refusal, the `Warning` headers and the `Audit-Id` that finds the
 * request's audit event. One keep-alive agent per cluster; a few requests in flight.
 */
import { Agent, request } from "node:https";
import type { JsonObject } from "@charter/ir";

export interface ApiAnswer {
  readonly status: number;
  readonly auditId: string;
  /** The Status `reason` of a refusal (`Invalid`, `Forbidden`…). */
  readonly reason?: string;
  readonly message?: string;
  readonly warnings: readonly string[];
  readonly body: JsonObject;
}

export interface ApiClient {
  send(method: string, path: string, body: unknown, contentType?: string): Promise<ApiAnswer>;
  close(): void;
}

/** `299 - "text"` → text (RFC 7234 warn-text, as the API server writes it). */
function warningText(header: string): string {
  const match = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(header);
  return match ? (match[1] as string).replace(/\\(.)/g, "$1") : header;
}

export function apiClient(server: string, ca: string, token: string): ApiClient {
  const agent = new Agent({ keepAlive: true, maxSockets: 4, ca });
  return {
    send(method, path, body, contentType = "application/json") {
      const payload = JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = request(
          new URL(path, server),
          {
            method,
            agent,
            headers: {
              authorization: `Bearer ${token}`,
              "content-type": contentType,
              accept: "application/json",
              "content-length": Buffer.byteLength(payload),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("error", reject);
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              const parsed = (text === "" ? {} : JSON.parse(text)) as JsonObject;
              const warnings = res.headers.warning;
              resolve({
                status: res.statusCode ?? 0,
                auditId: String(res.headers["audit-id"] ?? ""),
                reason:
                  parsed.kind === "Status" ? (parsed.reason as string | undefined) : undefined,
                message:
                  parsed.kind === "Status" ? (parsed.message as string | undefined) : undefined,
                warnings: (Array.isArray(warnings) ? warnings : warnings ? [warnings] : []).flatMap(
                  // Node joins repeated headers with ", "; the API server sends one per warning.
                  (header) => header.split(/, (?=\d{3} )/).map(warningText),
                ),
                body: parsed,
              });
            });
          },
        );
        req.on("error", reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}

/** Runs `task` over `items` with at most `limit` in flight, keeping the order of results. */
export async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const KINDS: Readonly<Record<string, { prefix: string; plural: string; namespaced: boolean }>> = {
  Pod: { prefix: "/api/v1", plural: "pods", namespaced: true },
  ReplicationController: { prefix: "/api/v1", plural: "replicationcontrollers", namespaced: true },
  Service: { prefix: "/api/v1", plural: "services", namespaced: true },
  ConfigMap: { prefix: "/api/v1", plural: "configmaps", namespaced: true },
  Namespace: { prefix: "/api/v1", plural: "namespaces", namespaced: false },
  Deployment: { prefix: "/apis/apps/v1", plural: "deployments", namespaced: true },
  ReplicaSet: { prefix: "/apis/apps/v1", plural: "replicasets", namespaced: true },
  StatefulSet: { prefix: "/apis/apps/v1", plural: "statefulsets", namespaced: true },
  DaemonSet: { prefix: "/apis/apps/v1", plural: "daemonsets", namespaced: true },
  Job: { prefix: "/apis/batch/v1", plural: "jobs", namespaced: true },
  CronJob: { prefix: "/apis/batch/v1", plural: "cronjobs", namespaced: true },
  Ingress: { prefix: "/apis/networking.k8s.io/v1", plural: "ingresses", namespaced: true },
  NetworkPolicy: {
    prefix: "/apis/networking.k8s.io/v1",
    plural: "networkpolicies",
    namespaced: true,
  },
  Role: { prefix: "/apis/rbac.authorization.k8s.io/v1", plural: "roles", namespaced: true },
  RoleBinding: {
    prefix: "/apis/rbac.authorization.k8s.io/v1",
    plural: "rolebindings",
    namespaced: true,
  },
  ClusterRole: {
    prefix: "/apis/rbac.authorization.k8s.io/v1",
    plural: "clusterroles",
    namespaced: false,
  },
  ClusterRoleBinding: {
    prefix: "/apis/rbac.authorization.k8s.io/v1",
    plural: "clusterrolebindings",
    namespaced: false,
  },
  RuntimeClass: { prefix: "/apis/node.k8s.io/v1", plural: "runtimeclasses", namespaced: false },
  PeerAuthentication: {
    prefix: "/apis/security.istio.io/v1",
    plural: "peerauthentications",
    namespaced: true,
  },
};

export function isNamespaced(kind: string): boolean {
  const entry = KINDS[kind];
  if (entry === undefined) throw new Error(`no API path for kind ${kind}`);
  return entry.namespaced;
}

/** The collection an object is created in: `/apis/apps/v1/namespaces/ns/deployments`. */
export function collectionPath(object: JsonObject): string {
  const kind = String(object.kind);
  const entry = KINDS[kind];
  if (entry === undefined) throw new Error(`no API path for kind ${kind}`);
  const namespace = (object.metadata as JsonObject | undefined)?.namespace;
  return entry.namespaced
    ? `${entry.prefix}/namespaces/${encodeURIComponent(String(namespace))}/${entry.plural}`
    : `${entry.prefix}/${entry.plural}`;
}
