/**
 * The webhook's workload: its Namespace, ServiceAccount, Deployment, PodDisruptionBudget and
 * Service. Hardened as Charter's own library asks of any workload (test/webhook-manifests.test.ts
 * judges these manifests with it): non-root, read-only root filesystem, no capabilities, no
 * privilege escalation, the runtime's seccomp profile, requests and limits.
 *
 * Two replicas spread over nodes, and a budget that keeps one up through a drain: with
 * `failurePolicy: Fail` the webhook being down means every request it routes is refused. The
 * spread is `ScheduleAnyway` so a one-node cluster still runs both; `maxUnavailable: 0` keeps two
 * answering during a rollout.
 */
import { DEFAULT_SYSTEM_NAMESPACES } from "@charter/ir";
import {
  DOCKER_CONFIG_MOUNT_PATH,
  imageDeadlineSeconds,
  REGISTRY_SECRET_NAME,
} from "./webhook-images.js";
import {
  CONTAINER_PORT,
  SELECTOR_LABELS,
  SERVICE_PORT,
  TLS_MOUNT_PATH,
  TLS_SECRET_NAME,
  WEBHOOK_LABELS,
  WEBHOOK_NAME,
} from "./webhook-names.js";
import type { WebhookOptions } from "./webhook-options.js";

/** The pod label saying it needs its service account token (restrict-service-account-token). */
export const NEEDS_API_LABEL = "charter.dev/needs-api";

/** The unprivileged user of distroless images (`nonroot`), which the Dockerfile runs as too. */
export const WEBHOOK_USER_ID = 65532;

export const REPLICAS = 2;

const PORT_NAME = "https";

/** Owner and group may read the key; nobody else (the group is the Pod's fsGroup). */
const SECRET_FILE_MODE = 0o440;

/**
 * Namespaces that exist in every cluster: a build must not rewrite their labels, so the Namespace
 * object is emitted only for a namespace of the webhook's own.
 */
const EXISTING_NAMESPACES = new Set(["default", ...DEFAULT_SYSTEM_NAMESPACES]);

/**
 * Whether the namespace is the webhook's own, so the build may write the Namespace and
 * namespace-wide objects (its labels, a default-deny NetworkPolicy): not one every cluster has,
 * nor a system namespace of the policy set.
 */
export function ownsNamespace(options: WebhookOptions): boolean {
  return (
    !EXISTING_NAMESPACES.has(options.namespace) &&
    !options.systemNamespaces.includes(options.namespace)
  );
}

/**
 * The webhook's own Namespace, enforcing the restricted Pod Security Standard its Pods meet.
 * Omitted for a namespace every cluster has (or one of the policy set's system namespaces).
 */
export function namespaceDocument(options: WebhookOptions): object | undefined {
  const { namespace } = options;
  if (!ownsNamespace(options)) return undefined;
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: namespace,
      labels: {
        ...WEBHOOK_LABELS,
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
      },
    },
  };
}

export function serviceAccountDocument(options: WebhookOptions, readsCluster: boolean): object {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: WEBHOOK_NAME, namespace: options.namespace, labels: WEBHOOK_LABELS },
    automountServiceAccountToken: readsCluster,
  };
}

function probe(path: string, periodSeconds: number): object {
  return {
    httpGet: { path, port: PORT_NAME, scheme: "HTTPS" },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold: 3,
  };
}

/**
 * The Deployment. `readsCluster`: some policy reads other objects, so the Pod gets its service
 * account token (for the watch caches); otherwise it gets none.
 */
export function deploymentDocument(
  options: WebhookOptions,
  readsCluster: boolean,
  readsRegistry = false,
): object {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: WEBHOOK_NAME, namespace: options.namespace, labels: WEBHOOK_LABELS },
    spec: {
      replicas: REPLICAS,
      revisionHistoryLimit: 3,
      selector: { matchLabels: SELECTOR_LABELS },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        // The label Charter's restrict-service-account-token reads: this Pod calls the API.
        metadata: {
          labels: readsCluster ? { ...WEBHOOK_LABELS, [NEEDS_API_LABEL]: "true" } : WEBHOOK_LABELS,
        },
        spec: {
          serviceAccountName: WEBHOOK_NAME,
          automountServiceAccountToken: readsCluster,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: WEBHOOK_USER_ID,
            runAsGroup: WEBHOOK_USER_ID,
            fsGroup: WEBHOOK_USER_ID,
            seccompProfile: { type: "RuntimeDefault" },
          },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: SELECTOR_LABELS },
            },
          ],
          containers: [
            {
              name: "webhook",
              image: options.image,
              imagePullPolicy: "Always",
              args: [
                "webhook",
                "--host",
                "0.0.0.0",
                "--tls-cert",
                `${TLS_MOUNT_PATH}/tls.crt`,
                "--tls-key",
                `${TLS_MOUNT_PATH}/tls.key`,
                "--port",
                String(CONTAINER_PORT),
                ...(readsRegistry
                  ? ["--image-deadline", imageDeadlineSeconds(options.timeoutSeconds)]
                  : []),
              ],
              // Registry credentials: the optional Secret's config.json (webhook-images.ts).
              ...(readsRegistry
                ? { env: [{ name: "DOCKER_CONFIG", value: DOCKER_CONFIG_MOUNT_PATH }] }
                : {}),
              ports: [{ name: PORT_NAME, containerPort: CONTAINER_PORT, protocol: "TCP" }],
              readinessProbe: probe("/readyz", 5),
              livenessProbe: probe("/healthz", 10),
              resources: {
                requests: { cpu: "100m", memory: "128Mi" },
                limits: { cpu: "1", memory: "512Mi" },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: WEBHOOK_USER_ID,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
              },
              volumeMounts: [
                { name: "tls", mountPath: TLS_MOUNT_PATH, readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
                ...(readsRegistry
                  ? [{ name: "registry", mountPath: DOCKER_CONFIG_MOUNT_PATH, readOnly: true }]
                  : []),
              ],
            },
          ],
          volumes: [
            { name: "tls", secret: { secretName: TLS_SECRET_NAME, defaultMode: SECRET_FILE_MODE } },
            // Node writes nothing else; a small writable /tmp keeps the root filesystem read-only.
            { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
            ...(readsRegistry
              ? [
                  {
                    name: "registry",
                    secret: {
                      secretName: REGISTRY_SECRET_NAME,
                      optional: true,
                      defaultMode: SECRET_FILE_MODE,
                      items: [{ key: ".dockerconfigjson", path: "config.json" }],
                    },
                  },
                ]
              : []),
          ],
        },
      },
    },
  };
}

export function podDisruptionBudgetDocument(options: WebhookOptions): object {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: WEBHOOK_NAME, namespace: options.namespace, labels: WEBHOOK_LABELS },
    spec: {
      minAvailable: 1,
      selector: { matchLabels: SELECTOR_LABELS },
      // A replica that is not ready may always be evicted: two crash-looping Pods never block a
      // node drain (with the default, IfHealthyBudget, they would), one ready Pod stays protected.
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    },
  };
}

export function serviceDocument(options: WebhookOptions): object {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: WEBHOOK_NAME, namespace: options.namespace, labels: WEBHOOK_LABELS },
    spec: {
      type: "ClusterIP",
      selector: SELECTOR_LABELS,
      ports: [{ name: PORT_NAME, port: SERVICE_PORT, targetPort: PORT_NAME, protocol: "TCP" }],
    },
  };
}
