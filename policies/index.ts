/**
 * Charter's policy library. `charter.config.ts` points at this folder; the loader reads this
 * file and nothing else in it, so helpers and case files can live beside the policies.
 */
import type { Policy } from "@charter/ir";
import disallowHostNamespaces from "./disallow-host-namespaces.js";
import disallowHostPath from "./disallow-host-path.js";
import disallowPrivilegedContainers from "./disallow-privileged-containers.js";
import requireRunAsNonRoot from "./require-run-as-non-root.js";
import restrictImageRegistries from "./restrict-image-registries.js";

const policies: readonly Policy[] = [
  disallowHostNamespaces,
  disallowHostPath,
  disallowPrivilegedContainers,
  requireRunAsNonRoot,
  restrictImageRegistries,
];

export default policies;
