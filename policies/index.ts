/**
 * Charter's policy library. `charter.config.ts` points at this folder; the loader reads this
 * file and nothing else in it, so helpers and case files can live beside the policies.
 */
import type { Policy } from "@charter/ir";
import disallowCapabilities from "./disallow-capabilities.js";
import disallowCapabilitiesStrict from "./disallow-capabilities-strict.js";
import disallowHostNamespaces from "./disallow-host-namespaces.js";
import disallowHostPath from "./disallow-host-path.js";
import disallowHostPorts from "./disallow-host-ports.js";
import disallowHostProbes from "./disallow-host-probes.js";
import disallowHostProcess from "./disallow-host-process.js";
import disallowPrivilegeEscalation from "./disallow-privilege-escalation.js";
import disallowPrivilegedContainers from "./disallow-privileged-containers.js";
import disallowProcMount from "./disallow-proc-mount.js";
import disallowProcMountStrict from "./disallow-proc-mount-strict.js";
import disallowSelinux from "./disallow-selinux.js";
import requireRunAsNonRoot from "./require-run-as-non-root.js";
import requireRunAsNonRootUser from "./require-run-as-non-root-user.js";
import restrictImageRegistries from "./restrict-image-registries.js";
import restrictSeccomp from "./restrict-seccomp.js";
import restrictSeccompStrict from "./restrict-seccomp-strict.js";
import restrictSysctls from "./restrict-sysctls.js";
import restrictVolumeTypes from "./restrict-volume-types.js";

const policies: readonly Policy[] = [
  disallowCapabilities,
  disallowCapabilitiesStrict,
  disallowHostNamespaces,
  disallowHostPath,
  disallowHostPorts,
  disallowHostProbes,
  disallowHostProcess,
  disallowPrivilegeEscalation,
  disallowPrivilegedContainers,
  disallowProcMount,
  disallowProcMountStrict,
  disallowSelinux,
  requireRunAsNonRoot,
  requireRunAsNonRootUser,
  restrictImageRegistries,
  restrictSeccomp,
  restrictSeccompStrict,
  restrictSysctls,
  restrictVolumeTypes,
];

export default policies;
