/**
 * The API versions of built-in kinds that Kubernetes no longer serves, with the release that
 * removed each and what replaces it. One table, kept here only.
 *
 * Source: the Kubernetes Deprecated API Migration Guide, "Removed APIs by release"
 * (https://kubernetes.io/docs/reference/using-api/deprecation-guide/), v1.16 to v1.32 — the
 * last release that removed a version of a built-in kind. Add a row when the guide adds one;
 * a version neither here nor in known-kinds.gen.json is an unknown version (served-version.ts).
 */

export interface RemovedVersion {
  /** `group/version` as written in `apiVersion` (`v1`-style for the core group). */
  readonly apiVersion: string;
  readonly kinds: readonly string[];
  /** The release that stopped serving it, `1.16`. */
  readonly removedIn: string;
  /** The apiVersion to use instead; absent when the kind itself is gone. */
  readonly replacement?: string;
  /** What to do when there is no replacement version. */
  readonly instead?: string;
}

/** PodSecurityPolicy went with policy/v1beta1 in 1.25, with no version to move to. */
const NO_PSP =
  "PodSecurityPolicy no longer exists in any version; use Pod Security Admission (namespace labels) or an admission policy";

const FLOW_CONTROL = ["FlowSchema", "PriorityLevelConfiguration"];

export const REMOVED_VERSIONS: readonly RemovedVersion[] = [
  // v1.16
  {
    apiVersion: "extensions/v1beta1",
    kinds: ["NetworkPolicy"],
    removedIn: "1.16",
    replacement: "networking.k8s.io/v1",
  },
  {
    apiVersion: "extensions/v1beta1",
    kinds: ["PodSecurityPolicy"],
    removedIn: "1.16",
    instead: NO_PSP,
  },
  {
    apiVersion: "extensions/v1beta1",
    kinds: ["DaemonSet", "Deployment", "ReplicaSet"],
    removedIn: "1.16",
    replacement: "apps/v1",
  },
  {
    apiVersion: "apps/v1beta1",
    kinds: ["Deployment", "StatefulSet", "ReplicaSet"],
    removedIn: "1.16",
    replacement: "apps/v1",
  },
  {
    apiVersion: "apps/v1beta2",
    kinds: ["DaemonSet", "Deployment", "StatefulSet", "ReplicaSet"],
    removedIn: "1.16",
    replacement: "apps/v1",
  },
  // v1.22
  {
    apiVersion: "admissionregistration.k8s.io/v1beta1",
    kinds: ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"],
    removedIn: "1.22",
    replacement: "admissionregistration.k8s.io/v1",
  },
  {
    apiVersion: "apiextensions.k8s.io/v1beta1",
    kinds: ["CustomResourceDefinition"],
    removedIn: "1.22",
    replacement: "apiextensions.k8s.io/v1",
  },
  {
    apiVersion: "apiregistration.k8s.io/v1beta1",
    kinds: ["APIService"],
    removedIn: "1.22",
    replacement: "apiregistration.k8s.io/v1",
  },
  {
    apiVersion: "authentication.k8s.io/v1beta1",
    kinds: ["TokenReview"],
    removedIn: "1.22",
    replacement: "authentication.k8s.io/v1",
  },
  {
    apiVersion: "authorization.k8s.io/v1beta1",
    kinds: ["LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview"],
    removedIn: "1.22",
    replacement: "authorization.k8s.io/v1",
  },
  {
    apiVersion: "certificates.k8s.io/v1beta1",
    kinds: ["CertificateSigningRequest"],
    removedIn: "1.22",
    replacement: "certificates.k8s.io/v1",
  },
  {
    apiVersion: "coordination.k8s.io/v1beta1",
    kinds: ["Lease"],
    removedIn: "1.22",
    replacement: "coordination.k8s.io/v1",
  },
  {
    apiVersion: "extensions/v1beta1",
    kinds: ["Ingress"],
    removedIn: "1.22",
    replacement: "networking.k8s.io/v1",
  },
  {
    apiVersion: "networking.k8s.io/v1beta1",
    kinds: ["Ingress", "IngressClass"],
    removedIn: "1.22",
    replacement: "networking.k8s.io/v1",
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1beta1",
    kinds: ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    removedIn: "1.22",
    replacement: "rbac.authorization.k8s.io/v1",
  },
  {
    apiVersion: "scheduling.k8s.io/v1beta1",
    kinds: ["PriorityClass"],
    removedIn: "1.22",
    replacement: "scheduling.k8s.io/v1",
  },
  {
    apiVersion: "storage.k8s.io/v1beta1",
    kinds: ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
    removedIn: "1.22",
    replacement: "storage.k8s.io/v1",
  },
  // v1.25
  { apiVersion: "batch/v1beta1", kinds: ["CronJob"], removedIn: "1.25", replacement: "batch/v1" },
  {
    apiVersion: "discovery.k8s.io/v1beta1",
    kinds: ["EndpointSlice"],
    removedIn: "1.25",
    replacement: "discovery.k8s.io/v1",
  },
  {
    apiVersion: "events.k8s.io/v1beta1",
    kinds: ["Event"],
    removedIn: "1.25",
    replacement: "events.k8s.io/v1",
  },
  {
    apiVersion: "autoscaling/v2beta1",
    kinds: ["HorizontalPodAutoscaler"],
    removedIn: "1.25",
    replacement: "autoscaling/v2",
  },
  {
    apiVersion: "policy/v1beta1",
    kinds: ["PodDisruptionBudget"],
    removedIn: "1.25",
    replacement: "policy/v1",
  },
  {
    apiVersion: "policy/v1beta1",
    kinds: ["PodSecurityPolicy"],
    removedIn: "1.25",
    instead: NO_PSP,
  },
  {
    apiVersion: "node.k8s.io/v1beta1",
    kinds: ["RuntimeClass"],
    removedIn: "1.25",
    replacement: "node.k8s.io/v1",
  },
  // v1.26
  {
    apiVersion: "flowcontrol.apiserver.k8s.io/v1beta1",
    kinds: FLOW_CONTROL,
    removedIn: "1.26",
    replacement: "flowcontrol.apiserver.k8s.io/v1",
  },
  {
    apiVersion: "autoscaling/v2beta2",
    kinds: ["HorizontalPodAutoscaler"],
    removedIn: "1.26",
    replacement: "autoscaling/v2",
  },
  // v1.27
  {
    apiVersion: "storage.k8s.io/v1beta1",
    kinds: ["CSIStorageCapacity"],
    removedIn: "1.27",
    replacement: "storage.k8s.io/v1",
  },
  // v1.29
  {
    apiVersion: "flowcontrol.apiserver.k8s.io/v1beta2",
    kinds: FLOW_CONTROL,
    removedIn: "1.29",
    replacement: "flowcontrol.apiserver.k8s.io/v1",
  },
  // v1.32
  {
    apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3",
    kinds: FLOW_CONTROL,
    removedIn: "1.32",
    replacement: "flowcontrol.apiserver.k8s.io/v1",
  },
];
