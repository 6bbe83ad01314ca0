/**
 * For tests that need the real API server: a started dev cluster (one per test file, shared by
 * its tests), or undefined after a loud warning when the pinned Kubernetes builds are missing.
 * Under CI=true a missing build is an error, so a CI run never passes by skipping.
 */
import {
  type DevCluster,
  type DevClusterOptions,
  findKubernetesBinaries,
  startDevCluster,
} from "@charter/server";

export function kubernetesBinariesForTests(): ReturnType<typeof findKubernetesBinaries> {
  const found = findKubernetesBinaries();
  if (found !== undefined) return found;
  const message =
    "kube-apiserver, kube-controller-manager, etcd or kubectl not in .tools/bin: run scripts/install-engines.sh";
  if (process.env.CI) throw new Error(`${message} (CI=true makes this an error)`);
  console.warn(`\n!!! SKIPPING real API server tests: ${message}\n`);
  return undefined;
}

export async function devClusterForTests(
  options: Omit<DevClusterOptions, "binaries"> = {},
): Promise<DevCluster | undefined> {
  const binaries = kubernetesBinariesForTests();
  return binaries === undefined ? undefined : startDevCluster({ ...options, binaries });
}
