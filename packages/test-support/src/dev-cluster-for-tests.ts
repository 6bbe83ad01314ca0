/**
 * For tests that need the real API server: a started dev cluster (one per test file, shared by
 * its tests) on the pinned builds kubernetesBinariesForTests finds, or undefined after its loud
 * warning when they are missing (an error under CI=true, so a CI run never passes by skipping).
 */
import { type DevCluster, type DevClusterOptions, startDevCluster } from "@charter/server";
import { kubernetesBinariesForTests } from "./kubernetes-binaries.js";

export { kubernetesBinariesForTests } from "./kubernetes-binaries.js";

export async function devClusterForTests(
  options: Omit<DevClusterOptions, "binaries"> = {},
): Promise<DevCluster | undefined> {
  const binaries = kubernetesBinariesForTests("the tests that need a real API server");
  return binaries === undefined ? undefined : startDevCluster({ ...options, binaries });
}
