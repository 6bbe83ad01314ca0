/**
 * Written with the fluent builder rather than `when`: the three rules differ only in the field
 * they test, so they are assembled in code from one table. The IR is the same as
 * when`pod.spec.hostNetwork == true` and so on.
 */
import { pod, policy } from "@charter/dsl";
import {
  asCronJob,
  asDaemonSet,
  asDeployment,
  asJob,
  asPod,
  asReplicaSet,
  asStatefulSet,
  container,
} from "./support/workloads.js";

/** Each host namespace a pod can share, and what sharing it exposes. */
const HOST_NAMESPACES = {
  hostNetwork: "the node's network stack (its interfaces, localhost services and ports)",
  hostPID: "the node's process table (every process on the node can be seen and signalled)",
  hostIPC: "the node's IPC namespace (shared memory of every process on the node)",
} as const;

type HostNamespace = keyof typeof HOST_NAMESPACES;

function hostNamespaceRule(field: HostNamespace) {
  return {
    fail: pod.spec.at(field).eq(true),
    message: `the pod sets spec.${field}: true and so shares ${HOST_NAMESPACES[field]}; remove spec.${field} or set it to false`,
    remediation: `Remove \`spec.${field}\` (it defaults to false) or set it to false.`,
  };
}

export default policy("disallow-host-namespaces", {
  title: "Pods do not share the node's namespaces",
  description:
    "A pod that shares the node's network, process or IPC namespace can watch and reach what " +
    "runs on the node outside the pod. Pod Security Standards baseline forbids " +
    "`hostNetwork`, `hostPID` and `hostIPC` set to true; each is reported by its own rule.",
  severity: "high",
  category: "Pod Security Standards (Baseline)",
  controls: [
    "pss:baseline:hostNamespaces",
    "cis:5.2.3",
    "cis:5.2.4",
    "cis:5.2.5",
    "nsa:pod-security:host-access",
    "area:pod-security",
    "area:escape-prevention",
  ],
  match: pod,
  rules: {
    hostNetwork: hostNamespaceRule("hostNetwork"),
    hostPID: hostNamespaceRule("hostPID"),
    hostIPC: hostNamespaceRule("hostIPC"),
  },
  cases: {
    pass: [
      {
        name: "Pod that sets none of the host namespace fields",
        resource: asPod("plain", { containers: [container("app")] }),
      },
      {
        name: "Deployment that sets all three to false",
        resource: asDeployment("api", {
          hostNetwork: false,
          hostPID: false,
          hostIPC: false,
          containers: [container("api")],
        }),
      },
      {
        name: "Job with hostNetwork null (missing)",
        resource: asJob("migrate", { hostNetwork: null, containers: [container("migrate")] }),
      },
      {
        name: "ReplicaSet with hostUsers: false (a user namespace is not a host namespace)",
        resource: asReplicaSet("sandboxed", { hostUsers: false, containers: [container("app")] }),
      },
    ],
    fail: [
      {
        name: "Pod on the host network",
        resource: asPod("redis", { hostNetwork: true, containers: [container("redis")] }),
        rules: ["hostNetwork"],
      },
      {
        name: "DaemonSet sharing the host's process table",
        resource: asDaemonSet("process-exporter", {
          hostPID: true,
          containers: [container("exporter")],
        }),
        rules: ["hostPID"],
      },
      {
        name: "StatefulSet sharing the host's IPC namespace",
        resource: asStatefulSet("shm-cache", { hostIPC: true, containers: [container("cache")] }),
        rules: ["hostIPC"],
      },
      {
        name: "CronJob sharing all three",
        resource: asCronJob("node-report", {
          hostNetwork: true,
          hostPID: true,
          hostIPC: true,
          containers: [container("report")],
        }),
        rules: ["hostNetwork", "hostPID", "hostIPC"],
      },
    ],
  },
});
