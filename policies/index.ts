/**
 * Charter's policy library. `charter.config.ts` points at this folder; the loader reads this
 * file and nothing else in it, so helpers and case files can live beside the policies.
 */
import type { Policy } from "@charter/ir";
import blockVulnerableImages from "./block-vulnerable-images.js";
import disallowAllowAllIngressNetworkpolicy from "./disallow-allow-all-ingress-networkpolicy.js";
import disallowAnonymousBindings from "./disallow-anonymous-bindings.js";
import disallowCapabilities from "./disallow-capabilities.js";
import disallowCapabilitiesStrict from "./disallow-capabilities-strict.js";
import disallowDefaultNamespace from "./disallow-default-namespace.js";
import disallowHostNamespaces from "./disallow-host-namespaces.js";
import disallowHostPath from "./disallow-host-path.js";
import disallowHostPorts from "./disallow-host-ports.js";
import disallowHostProbes from "./disallow-host-probes.js";
import disallowHostProcess from "./disallow-host-process.js";
import disallowLatestTag from "./disallow-latest-tag.js";
import disallowPrivilegeEscalation from "./disallow-privilege-escalation.js";
import disallowPrivilegedContainers from "./disallow-privileged-containers.js";
import disallowProcMount from "./disallow-proc-mount.js";
import disallowProcMountStrict from "./disallow-proc-mount-strict.js";
import disallowSecretsInEnv from "./disallow-secrets-in-env.js";
import disallowSelinux from "./disallow-selinux.js";
import requireDefaultDenyNetworkPolicy from "./require-default-deny-network-policy.js";
import requireEncryptionConfig from "./require-encryption-config.js";
import requireImageDigest from "./require-image-digest.js";
import requireImagePullPolicyAlways from "./require-image-pull-policy-always.js";
import requireIngressTls from "./require-ingress-tls.js";
import requireMeshWideMtls from "./require-mesh-wide-mtls.js";
import requirePeerAuthenticationStrict from "./require-peer-authentication-strict.js";
import requireReadOnlyRootFilesystem from "./require-read-only-root-filesystem.js";
import requireRecentVulnerabilityScan from "./require-recent-vulnerability-scan.js";
import requireRequestsLimits from "./require-requests-limits.js";
import requireRunAsNonRoot from "./require-run-as-non-root.js";
import requireRunAsNonRootUser from "./require-run-as-non-root-user.js";
import requireSignedImages from "./require-signed-images.js";
import requireSlsaProvenance from "./require-slsa-provenance.js";
import restrictApparmorProfiles from "./restrict-apparmor-profiles.js";
import restrictClusterAdminBindings from "./restrict-cluster-admin-bindings.js";
import restrictImageRegistries from "./restrict-image-registries.js";
import restrictRbacEscalationVerbs from "./restrict-rbac-escalation-verbs.js";
import restrictRbacWildcards from "./restrict-rbac-wildcards.js";
import restrictRuntimeClass from "./restrict-runtime-class.js";
import restrictSeccomp from "./restrict-seccomp.js";
import restrictSeccompStrict from "./restrict-seccomp-strict.js";
import restrictSecretsRead from "./restrict-secrets-read.js";
import restrictServiceAccountToken from "./restrict-service-account-token.js";
import restrictServiceExternalAccess from "./restrict-service-external-access.js";
import restrictSysctls from "./restrict-sysctls.js";
import restrictVolumeTypes from "./restrict-volume-types.js";

const policies: readonly Policy[] = [
  blockVulnerableImages,
  disallowAllowAllIngressNetworkpolicy,
  disallowAnonymousBindings,
  disallowCapabilities,
  disallowCapabilitiesStrict,
  disallowDefaultNamespace,
  disallowHostNamespaces,
  disallowHostPath,
  disallowHostPorts,
  disallowHostProbes,
  disallowHostProcess,
  disallowLatestTag,
  disallowPrivilegeEscalation,
  disallowPrivilegedContainers,
  disallowProcMount,
  disallowProcMountStrict,
  disallowSecretsInEnv,
  disallowSelinux,
  requireDefaultDenyNetworkPolicy,
  requireEncryptionConfig,
  requireImageDigest,
  requireImagePullPolicyAlways,
  requireIngressTls,
  requireMeshWideMtls,
  requirePeerAuthenticationStrict,
  requireReadOnlyRootFilesystem,
  requireRecentVulnerabilityScan,
  requireRequestsLimits,
  requireRunAsNonRoot,
  requireRunAsNonRootUser,
  requireSignedImages,
  requireSlsaProvenance,
  restrictApparmorProfiles,
  restrictClusterAdminBindings,
  restrictImageRegistries,
  restrictRbacEscalationVerbs,
  restrictRbacWildcards,
  restrictRuntimeClass,
  restrictSeccomp,
  restrictSeccompStrict,
  restrictSecretsRead,
  restrictServiceAccountToken,
  restrictServiceExternalAccess,
  restrictSysctls,
  restrictVolumeTypes,
];

export default policies;
