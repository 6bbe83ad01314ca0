/**
 * The Pod Security Standards baseline `procMount` check, exactly as Pod Security Admission v1.37
 * runs it (`policy/check_procMount.go`): a container, init container or ephemeral container
 * whose `securityContext.procMount` is set to anything but `Default` fails. Since 1.35 a pod
 * in its own user namespace (`spec.hostUsers: false`) is not checked: an unmasked /proc there
 * does not expose the node's. The restricted profile runs `disallow-proc-mount-strict` instead.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import { asCronJob, asDeployment, asPod, asReplicaSet, container } from "./support/workloads.js";

export default policy("disallow-proc-mount", {
  title: "Containers keep the default masked /proc",
  description:
    "The default /proc mount masks and makes read-only the kernel paths a container must not " +
    "touch; `Unmasked` exposes them. Pod Security Standards baseline requires every " +
    "container, init container and ephemeral container to leave `securityContext.procMount` " +
    "unset or `Default`. Pods in their own user namespace (`hostUsers: false`) are exempt.",
  severity: "high",
  category: "Pod Security Standards (Baseline)",
  controls: ["pss:baseline:procMount", "area:pod-security", "area:escape-prevention"],
  match: pod,
  rules: {
    procMount: {
      fail: when`
        not (pod.spec.hostUsers == false)
        and any c in pod.containers: c.securityContext.procMount != "Default"`,
      message:
        "container {{c.name}} sets securityContext.procMount: {{c.securityContext.procMount}}; " +
        "remove it or set it to Default",
      remediation:
        "Remove `securityContext.procMount` (it defaults to `Default`) or set it to `Default`. " +
        "A workload that truly needs an unmasked /proc must run in its own user namespace " +
        "(`spec.hostUsers: false`).",
    },
  },
  cases: {
    pass: [
      {
        name: "Pod that never sets procMount",
        resource: asPod("plain", { containers: [container("app")] }),
      },
      {
        name: "Deployment whose containers set procMount: Default",
        resource: asDeployment("api", {
          initContainers: [container("migrate", { procMount: "Default" })],
          containers: [container("api", { procMount: "Default" })],
        }),
      },
      {
        name: "Pod in its own user namespace may unmask /proc (hostUsers: false)",
        resource: asPod("nested-builder", {
          hostUsers: false,
          containers: [container("buildkit", { procMount: "Unmasked" })],
          ephemeralContainers: [container("debugger", { procMount: "Unmasked" })],
        }),
      },
      fromYaml("cases/disallow-proc-mount/pass-daemonset-null-proc-mount.yaml"),
    ],
    fail: [
      {
        name: "Pod with an unmasked /proc",
        resource: asPod("builder", {
          containers: [container("buildkit", { procMount: "Unmasked" })],
        }),
        rules: ["procMount"],
      },
      {
        name: "Pod with hostUsers: true (only false exempts) and an unmasked ephemeral container",
        resource: asPod("api-7d9f", {
          hostUsers: true,
          containers: [container("api")],
          ephemeralContainers: [container("debugger", { procMount: "Unmasked" })],
        }),
        rules: ["procMount"],
      },
      {
        name: "ReplicaSet whose init container unmasks /proc",
        resource: asReplicaSet("web", {
          initContainers: [container("setup", { procMount: "Unmasked" })],
          containers: [container("web", { procMount: "Default" })],
        }),
        rules: ["procMount"],
      },
      {
        name: "CronJob whose procMount is an unknown value (only Default is allowed)",
        resource: asCronJob("report", {
          containers: [container("report", { procMount: "default" })],
        }),
        rules: ["procMount"],
      },
      fromYaml("cases/disallow-proc-mount/fail-daemonset-unmasked.yaml", { rules: ["procMount"] }),
    ],
  },
});
