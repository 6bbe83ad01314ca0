/**
 * The Pod Security Standards baseline `windowsHostProcess` check, exactly as Pod Security
 * Admission v1.37 runs it (`policy/check_windowsHostProcess.go`):
 * `securityContext.windowsOptions.hostProcess: true` fails on the pod and on every container,
 * init container and ephemeral container. Unset, null or false is fine; Linux pods are judged
 * too (the field means the same wherever it is written).
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import {
  asDaemonSet,
  asDeployment,
  asJob,
  asPod,
  asReplicaSet,
  container,
} from "./support/workloads.js";

/**
 * What a HostProcess pod looks like to the API: a Windows pod on the host network (the API
 * requires hostNetwork with hostProcess).
 */
const WINDOWS_HOST = { os: { name: "windows" }, hostNetwork: true };

export default policy("disallow-host-process", {
  title: "Windows pods do not run as HostProcess containers",
  description:
    "A Windows HostProcess container runs directly on the node, with the node's network and " +
    "file system and as a node user: it is full access to the Windows host. Pod Security " +
    "Standards baseline forbids `windowsOptions.hostProcess: true` in the pod's " +
    "securityContext and in every container, init container and ephemeral container.",
  severity: "critical",
  category: "Pod Security Standards (Baseline)",
  controls: [
    "pss:baseline:windowsHostProcess",
    "cis:5.2.10",
    "nsa:pod-security:host-access",
    "area:pod-security",
    "area:escape-prevention",
  ],
  match: pod,
  rules: {
    podHostProcess: {
      fail: when`pod.spec.securityContext.windowsOptions.hostProcess == true`,
      message:
        "the pod sets spec.securityContext.windowsOptions.hostProcess: true; remove it or set " +
        "it to false",
      remediation:
        "Remove `windowsOptions.hostProcess` from `spec.securityContext` (it defaults to " +
        "false). Node-level Windows work belongs in the node's own configuration, not a pod.",
    },
    containerHostProcess: {
      fail: when`any c in pod.containers: c.securityContext.windowsOptions.hostProcess == true`,
      message:
        "container {{c.name}} sets securityContext.windowsOptions.hostProcess: true; remove " +
        "it or set it to false",
      remediation:
        "Remove `windowsOptions.hostProcess` from the container's `securityContext` (it " +
        "defaults to false), and from the pod's.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/disallow-host-process/pass-daemonset-run-as-user-name.yaml"),
      {
        name: "Pod without any securityContext",
        resource: asPod("plain", { containers: [container("app")] }),
      },
      {
        name: "Windows pod with hostProcess: false at both levels",
        resource: asPod("iis", {
          os: { name: "windows" },
          securityContext: { windowsOptions: { hostProcess: false } },
          containers: [container("iis", { windowsOptions: { hostProcess: false } })],
        }),
      },
      {
        name: "Deployment whose windowsOptions are null",
        resource: asDeployment("api", {
          securityContext: { windowsOptions: null },
          containers: [container("api", { windowsOptions: null })],
        }),
      },
    ],
    fail: [
      fromYaml("cases/disallow-host-process/fail-pod-pod-level.yaml", {
        rules: ["podHostProcess"],
      }),
      {
        name: "DaemonSet whose container and init container are HostProcess",
        resource: asDaemonSet("csi-proxy", {
          ...WINDOWS_HOST,
          initContainers: [container("setup", { windowsOptions: { hostProcess: true } })],
          containers: [container("proxy", { windowsOptions: { hostProcess: true } })],
        }),
        rules: ["containerHostProcess"],
      },
      {
        name: "ReplicaSet with hostProcess at both levels",
        resource: asReplicaSet("agent", {
          ...WINDOWS_HOST,
          securityContext: { windowsOptions: { hostProcess: true } },
          containers: [container("agent", { windowsOptions: { hostProcess: true } })],
        }),
        rules: ["podHostProcess", "containerHostProcess"],
      },
      {
        name: "Pod whose ephemeral debug container is HostProcess",
        resource: asPod("iis-7d9f", {
          ...WINDOWS_HOST,
          containers: [container("iis")],
          ephemeralContainers: [container("debugger", { windowsOptions: { hostProcess: true } })],
        }),
        rules: ["containerHostProcess"],
      },
      {
        name: "Job without os.name is judged the same",
        resource: asJob("collect", {
          hostNetwork: true,
          containers: [container("collect", { windowsOptions: { hostProcess: true } })],
        }),
        rules: ["containerHostProcess"],
      },
    ],
  },
});
