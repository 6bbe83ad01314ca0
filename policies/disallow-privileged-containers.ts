import { fromYaml, pod, policy, when } from "@charter/dsl";
import { asCronJob, asDaemonSet, asDeployment, asPod, container } from "./support/workloads.js";

export default policy("disallow-privileged-containers", {
  title: "Containers do not run privileged",
  description:
    "A privileged container has every capability and full access to the node's devices: " +
    "it is root on the node. Pod Security Standards baseline forbids " +
    "`securityContext.privileged: true` on every container, init container and ephemeral " +
    "container.",
  severity: "critical",
  category: "Pod Security Standards (Baseline)",
  controls: [
    "pss:baseline:privileged",
    "cis:5.2.2",
    "nsa:pod-security:privileged",
    "area:pod-security",
    "area:escape-prevention",
  ],
  match: pod,
  rules: {
    privileged: {
      fail: when`any c in pod.containers: c.securityContext.privileged == true`,
      message:
        "container {{c.name}} sets securityContext.privileged: true; remove it or set it to false",
      remediation:
        "Remove `securityContext.privileged` (it defaults to false) or set it to false. If the " +
        "container needs one kernel feature, add only that capability instead.",
    },
  },
  cases: {
    pass: [
      {
        name: "Pod without any securityContext",
        resource: asPod("plain", { containers: [container("app")] }),
      },
      {
        name: "Deployment whose containers and init containers set privileged: false",
        resource: asDeployment("api", {
          initContainers: [container("migrate", { privileged: false })],
          containers: [container("api", { privileged: false, allowPrivilegeEscalation: false })],
        }),
      },
      {
        name: "DaemonSet with a securityContext that does not mention privileged",
        resource: asDaemonSet("log-agent", {
          containers: [container("agent", { readOnlyRootFilesystem: true })],
        }),
      },
      fromYaml("cases/disallow-privileged-containers/pass-statefulset-null-security-context.yaml"),
    ],
    fail: [
      {
        name: "Pod with a privileged container",
        resource: asPod("debug", { containers: [container("shell", { privileged: true })] }),
        rules: ["privileged"],
      },
      {
        name: "Deployment with a privileged init container",
        resource: asDeployment("api", {
          initContainers: [container("sysctl-tuner", { privileged: true })],
          containers: [container("api", { privileged: false })],
        }),
        rules: ["privileged"],
      },
      {
        name: "Pod with a privileged ephemeral debug container",
        resource: asPod("api-7d9f", {
          containers: [container("api")],
          ephemeralContainers: [container("debugger", { privileged: true })],
        }),
        rules: ["privileged"],
      },
      {
        name: "DaemonSet node agent running privileged",
        resource: asDaemonSet("node-agent", {
          containers: [container("agent", { privileged: true, runAsNonRoot: true })],
        }),
        rules: ["privileged"],
      },
      {
        name: "CronJob whose second container is privileged",
        resource: asCronJob("backup", {
          containers: [container("backup"), container("mounter", { privileged: true })],
        }),
        rules: ["privileged"],
      },
      fromYaml("cases/disallow-privileged-containers/fail-job-privileged.yaml", {
        rules: ["privileged"],
      }),
    ],
  },
});
