/**
 * The Pod Security Standards baseline `seccompProfile_baseline` check, exactly as Pod Security
 * Admission v1.37 runs it (`policy/check_seccompProfile_baseline.go`): a `seccompProfile` set
 * on the pod or on any container, init container or ephemeral container fails unless its
 * `type` is `RuntimeDefault` or `Localhost` (a set profile without a type fails too, as Go's
 * "" is not valid). Leaving the profile unset is fine here; the restricted profile runs
 * `restrict-seccomp-strict` instead, which requires one.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import { asCronJob, asDaemonSet, asDeployment, asPod, container } from "./support/workloads.js";

const VALID_TYPES = ["RuntimeDefault", "Localhost"];

export default policy("restrict-seccomp", {
  title: "Seccomp is never turned off",
  description:
    "Seccomp filters the system calls a container can make. Pod Security Standards baseline " +
    "forbids explicitly disabling it: a `seccompProfile` on the pod or on any container, init " +
    "container or ephemeral container must have type `RuntimeDefault` or `Localhost` " +
    "(`Unconfined` is refused). Leaving it unset is allowed at this level.",
  severity: "high",
  category: "Pod Security Standards (Baseline)",
  controls: [
    "pss:baseline:seccompProfile_baseline",
    "nsa:pod-security:security-modules",
    "area:pod-security",
    "area:escape-prevention",
  ],
  match: pod,
  rules: {
    podProfile: {
      fail: when`
        exists(pod.spec.securityContext.seccompProfile)
        and not (pod.spec.securityContext.seccompProfile.type in ${VALID_TYPES})`,
      message:
        'the pod sets spec.securityContext.seccompProfile.type "{{pod.spec.securityContext.seccompProfile.type ?? ""}}"; ' +
        "set it to RuntimeDefault (or Localhost with a localhostProfile)",
      remediation:
        "Set `spec.securityContext.seccompProfile.type: RuntimeDefault`, or `Localhost` with " +
        "`localhostProfile` naming a profile installed on the nodes.",
    },
    containerProfile: {
      fail: when`
        any c in pod.containers:
          exists(c.securityContext.seccompProfile)
          and not (c.securityContext.seccompProfile.type in ${VALID_TYPES})`,
      message:
        'container {{c.name}} sets securityContext.seccompProfile.type "{{c.securityContext.seccompProfile.type ?? ""}}"; ' +
        "set it to RuntimeDefault (or Localhost with a localhostProfile), or remove it to " +
        "inherit the pod's",
      remediation:
        "Set the container's `securityContext.seccompProfile.type` to `RuntimeDefault` or " +
        "`Localhost`, or remove it so the container inherits the pod's profile.",
    },
  },
  cases: {
    pass: [
      {
        name: "Pod without any seccomp profile (unset is allowed at baseline)",
        resource: asPod("plain", { containers: [container("app")] }),
      },
      {
        name: "Deployment with a RuntimeDefault pod profile and a Localhost container profile",
        resource: asDeployment("api", {
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            container("api", {
              seccompProfile: { type: "Localhost", localhostProfile: "profiles/api.json" },
            }),
          ],
        }),
      },
      {
        name: "Pod whose ephemeral container sets RuntimeDefault",
        resource: asPod("api-7d9f", {
          containers: [container("api")],
          ephemeralContainers: [
            container("debugger", { seccompProfile: { type: "RuntimeDefault" } }),
          ],
        }),
      },
      fromYaml("cases/restrict-seccomp/pass-statefulset-null-profile.yaml"),
    ],
    fail: [
      {
        name: "Pod with an Unconfined pod-level profile",
        resource: asPod("legacy", {
          securityContext: { seccompProfile: { type: "Unconfined" } },
          containers: [container("app")],
        }),
        rules: ["podProfile"],
      },
      {
        name: "DaemonSet whose container turns seccomp off under a RuntimeDefault pod",
        resource: asDaemonSet("agent", {
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          containers: [container("agent", { seccompProfile: { type: "Unconfined" } })],
        }),
        rules: ["containerProfile"],
      },
      {
        name: "Pod with an Unconfined ephemeral container",
        resource: asPod("api-7d9f", {
          containers: [container("api")],
          ephemeralContainers: [container("debugger", { seccompProfile: { type: "Unconfined" } })],
        }),
        rules: ["containerProfile"],
      },
      {
        name: "CronJob with a profile that has no type (not RuntimeDefault or Localhost)",
        resource: asCronJob("report", {
          securityContext: { seccompProfile: {} },
          containers: [container("report", { seccompProfile: { type: "runtimedefault" } })],
        }),
        rules: ["podProfile", "containerProfile"],
      },
      fromYaml("cases/restrict-seccomp/fail-statefulset-init-unconfined.yaml", {
        rules: ["containerProfile"],
      }),
    ],
  },
});
