/**
 * Workloads in namespaces labelled untrusted run in a sandboxed runtime class (gVisor, Kata…).
 * Decisions, exactly:
 * - "Untrusted" is a label on the Namespace: `params.untrustedLabel` (default
 *   `charter.dev/untrusted`) with one of `params.untrustedValues` (default `"true"`). The
 *   workload's own labels do not count: who may label a Namespace is a cluster-admin decision,
 *   who may label a Pod is not.
 * - The pod's `spec.runtimeClassName` must be one of `params.runtimeClasses`; missing fails,
 *   and so does a class not listed (a class named "runc" sandboxes nothing).
 * - Offline, the Namespace comes from the scanned set; when it is not there (or the workload
 *   names no namespace) the rule is skipped with that reason, never guessed. In a cluster the
 *   API server supplies it (`namespaceObject`), and Gatekeeper reads it from its synced
 *   inventory (the emitted SyncSet asks for Namespaces).
 */
import { list, namespaceWith, pod, policy, string, when } from "@charter/dsl";
import type { JsonObject } from "@charter/ir";
import { asCronJob, asDeployment, asPod, container } from "./support/workloads.js";

const UNTRUSTED = { "charter.dev/untrusted": "true" };

function inNamespace(resource: JsonObject, namespace: string): JsonObject {
  return { ...resource, metadata: { ...(resource.metadata as JsonObject), namespace } };
}

const plain = { containers: [container("app")] };
const sandboxed = (runtimeClassName: string) => ({ ...plain, runtimeClassName });

export default policy("restrict-runtime-class", {
  title: "Workloads in untrusted namespaces run in a sandboxed runtime class",
  description:
    'A namespace labelled untrusted (by default `charter.dev/untrusted: "true"`) runs code ' +
    "the cluster does not vouch for; its pods must set `spec.runtimeClassName` to a sandboxed " +
    "runtime (gVisor, Kata Containers), so a container escape lands in a sandbox, not on the " +
    "node. The label is read from the Namespace object: offline, from the scanned set (the " +
    "rule is skipped when the Namespace is not there); in a cluster, from the API server.",
  severity: "high",
  category: "Runtime hardening",
  controls: ["nsa:pod-security:sandboxing", "area:runtime-hardening", "area:escape-prevention"],
  match: pod,
  params: {
    untrustedLabel: string().default("charter.dev/untrusted"),
    untrustedValues: list(string()).default(["true"]),
    runtimeClasses: list(string()).default(["gvisor", "kata", "kata-qemu", "kata-clh", "kata-fc"]),
  },
  rules: {
    sandboxed: {
      fail: when`namespaceObject.metadata.labels[params.untrustedLabel] in params.untrustedValues
        and not (pod.spec.runtimeClassName in params.runtimeClasses)`,
      message:
        "namespace {{namespaceObject.metadata.name}} is labelled {{params.untrustedLabel}}=" +
        '{{namespaceObject.metadata.labels[params.untrustedLabel]}}, but the pod\'s runtimeClassName is "{{pod.spec.runtimeClassName ?? ""}}"; ' +
        "set spec.runtimeClassName to a sandboxed runtime class",
      remediation:
        "Set `spec.runtimeClassName` (in a controller, on the pod template) to a sandboxed " +
        "RuntimeClass installed on the cluster, such as `gvisor` or `kata`, or move the " +
        "workload to a trusted namespace.",
    },
  },
  cases: {
    pass: [
      {
        name: "untrusted namespace, gVisor",
        resource: inNamespace(asPod("sandboxed", sandboxed("gvisor")), "tenants"),
        inventory: [namespaceWith("tenants", UNTRUSTED)],
      },
      {
        name: "trusted namespace, no runtime class",
        resource: inNamespace(asDeployment("api", plain), "shop"),
        inventory: [namespaceWith("shop", { team: "shop" })],
      },
      {
        name: "the label with another value",
        resource: inNamespace(asPod("plain", plain), "shop"),
        inventory: [namespaceWith("shop", { "charter.dev/untrusted": "false" })],
      },
      {
        name: "CronJob in an untrusted namespace with Kata",
        resource: inNamespace(asCronJob("report", sandboxed("kata")), "tenants"),
        inventory: [namespaceWith("tenants", UNTRUSTED)],
      },
      {
        name: "the Namespace is not in the scanned set: skipped, not guessed",
        resource: inNamespace(asPod("plain", plain), "tenants"),
      },
    ],
    fail: [
      {
        name: "untrusted namespace, no runtime class",
        resource: inNamespace(asPod("plain", plain), "tenants"),
        inventory: [namespaceWith("tenants", UNTRUSTED)],
      },
      {
        name: "untrusted namespace, runc is not a sandbox",
        resource: inNamespace(asDeployment("api", sandboxed("runc")), "tenants"),
        inventory: [namespaceWith("tenants", UNTRUSTED)],
      },
      {
        name: "untrusted namespace, CronJob without a runtime class",
        resource: inNamespace(asCronJob("report", plain), "tenants"),
        inventory: [namespaceWith("tenants", { ...UNTRUSTED, team: "x" })],
      },
    ],
  },
});
