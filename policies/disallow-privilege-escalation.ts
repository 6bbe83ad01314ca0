/**
 * The Pod Security Standards restricted `allowPrivilegeEscalation` check, exactly as Pod
 * Security Admission v1.37 runs it (`policy/check_allowPrivilegeEscalation.go`): every
 * container, init container and ephemeral container must set
 * `securityContext.allowPrivilegeEscalation: false` itself (there is no pod-level field; unset
 * or null fails, because the runtime's default allows escalation). Since 1.25 a Windows pod
 * (`spec.os.name: windows`, exactly) is not checked: the field does not exist on Windows.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import { asCronJob, asDeployment, asPod, asStatefulSet, container } from "./support/workloads.js";

export default policy("disallow-privilege-escalation", {
  title: "Containers cannot gain more privileges than they start with",
  description:
    "Unless `allowPrivilegeEscalation` is false, a process can gain privileges through setuid " +
    "binaries or file capabilities (the kernel's `no_new_privs` flag stays off). Pod Security " +
    "Standards restricted requires every container, init container and ephemeral container " +
    "to set it to false explicitly. Windows pods (`spec.os.name: windows`) are exempt.",
  severity: "medium",
  category: "Pod Security Standards (Restricted)",
  controls: [
    "pss:restricted:allowPrivilegeEscalation",
    "cis:5.2.6",
    "nsa:pod-security:privilege-escalation",
    "area:pod-security",
    "area:escape-prevention",
  ],
  match: pod,
  rules: {
    privilegeEscalation: {
      fail: when`
        not (pod.spec.os.name == "windows")
        and any c in pod.containers: not (c.securityContext.allowPrivilegeEscalation == false)`,
      message:
        "container {{c.name}} does not set securityContext.allowPrivilegeEscalation: false; " +
        "set it to false",
      remediation:
        "Set `securityContext.allowPrivilegeEscalation: false` on every container, init " +
        "container and ephemeral container; leaving it unset allows escalation. A container " +
        "that is `privileged` or adds CAP_SYS_ADMIN cannot set it and must be changed first.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/disallow-privilege-escalation/pass-deployment-all-false.yaml"),
      {
        name: "Pod whose every kind of container sets false",
        resource: asPod("api-7d9f", {
          initContainers: [container("migrate", { allowPrivilegeEscalation: false })],
          containers: [container("api", { allowPrivilegeEscalation: false })],
          ephemeralContainers: [container("debugger", { allowPrivilegeEscalation: false })],
        }),
      },
      {
        name: "Windows pod without the field is exempt",
        resource: asPod("iis", { os: { name: "windows" }, containers: [container("iis")] }),
      },
      {
        name: "Windows StatefulSet is exempt even with true",
        resource: asStatefulSet("sql", {
          os: { name: "windows" },
          containers: [container("sql", { allowPrivilegeEscalation: true })],
        }),
      },
    ],
    fail: [
      fromYaml("cases/disallow-privilege-escalation/fail-cronjob-init-container-unset.yaml", {
        rules: ["privilegeEscalation"],
      }),
      {
        name: "Pod without any securityContext",
        resource: asPod("plain", { containers: [container("app")] }),
        rules: ["privilegeEscalation"],
      },
      {
        name: "Deployment whose container sets true",
        resource: asDeployment("api", {
          containers: [container("api", { allowPrivilegeEscalation: true })],
        }),
        rules: ["privilegeEscalation"],
      },
      {
        name: "Pod whose ephemeral debug container leaves it unset",
        resource: asPod("api-7d9f", {
          containers: [container("api", { allowPrivilegeEscalation: false })],
          ephemeralContainers: [container("debugger", { readOnlyRootFilesystem: true })],
        }),
        rules: ["privilegeEscalation"],
      },
      {
        name: "CronJob whose container's securityContext is null",
        resource: asCronJob("cleanup", { containers: [container("cleanup", null)] }),
        rules: ["privilegeEscalation"],
      },
      {
        name: "Pod with os.name Windows (capitalised) is not exempt",
        resource: asPod("not-windows", {
          os: { name: "Windows" },
          containers: [container("app")],
        }),
        rules: ["privilegeEscalation"],
      },
    ],
  },
});
