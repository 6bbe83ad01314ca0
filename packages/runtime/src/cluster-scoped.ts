/**
 * Kinds the API server keeps outside namespaces. A manifest does not say whether its kind is
 * namespaced, and a namespaced object without `metadata.namespace` is still namespaced (it
 * lands in the namespace `kubectl apply` is given, `default` otherwise), so scope is read from
 * this list: the built-in cluster-scoped kinds, and those of the policy engines Charter
 * targets. Any other kind is taken as namespaced, as most custom resources are.
 */
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  // core/v1
  "Namespace",
  "Node",
  "PersistentVolume",
  "ComponentStatus",
  // rbac, admission, apiextensions, apiregistration, scheduling, storage, node, networking
  "ClusterRole",
  "ClusterRoleBinding",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "CustomResourceDefinition",
  "APIService",
  "PriorityClass",
  "StorageClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "RuntimeClass",
  "IngressClass",
  "IPAddress",
  "ServiceCIDR",
  "CertificateSigningRequest",
  "FlowSchema",
  "PriorityLevelConfiguration",
  // policy engines and their reports
  "ClusterPolicy",
  "ValidatingPolicy",
  "ConstraintTemplate",
  "ClusterPolicyReport",
  "ClusterReport",
]);

/** The namespace an object's report goes into, or undefined for the cluster-wide report. */
export function reportNamespaceOf(resource: {
  kind: string;
  namespace?: string;
}): string | undefined {
  if (resource.namespace) return resource.namespace;
  return CLUSTER_SCOPED_KINDS.has(resource.kind) ? undefined : "default";
}
