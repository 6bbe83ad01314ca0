/**
 * The Pod Security Standards restricted `seccompProfile_restricted` check, exactly as Pod
 * Security Admission v1.37 runs it (`policy/check_seccompProfile_restricted.go`):
 * - a `seccompProfile` set on the pod whose type is not RuntimeDefault or Localhost fails;
 * - so does one set on any container, init container or ephemeral container;
 * - a container without a profile fails unless the pod sets a valid one (a bad pod-level
 *   profile covers nothing);
 * - since 1.25, Windows pods (`spec.os.name: windows`) are not checked.
 * At restricted level it replaces `restrict-seccomp` (its `OverrideCheckIDs`).
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import {
  asCronJob,
  asDeployment,
  asJob,
  asPod,
  asReplicaSet,
  container,
} from "./support/workloads.js";

const VALID_TYPES = ["RuntimeDefault", "Localhost"];

export default policy("restrict-seccomp-strict", {
  title: "Every container runs with a seccomp profile",
  description:
    "Seccomp filters the system calls a container can make. Pod Security Standards restricted " +
    "requires a profile of type `RuntimeDefault` or `Localhost` for every container, init " +
    "container and ephemeral container, set on the container or inherited from the pod, and " +
    "no other type anywhere. Windows pods (`spec.os.name: windows`) are exempt.",
  severity: "medium",
  category: "Pod Security Standards (Restricted)",
  controls: [
    "pss:restricted:seccompProfile_restricted",
    "cis:5.6.2",
    "nsa:pod-security:security-modules",
    "area:pod-security",
    "area:escape-prevention",
  ],
  match: pod,
  rules: {
    podProfile: {
      fail: when`
        not (pod.spec.os.name == "windows")
        and exists(pod.spec.securityContext.seccompProfile)
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
        not (pod.spec.os.name == "windows")
        and any c in pod.containers:
          exists(c.securityContext.seccompProfile)
          and not (c.securityContext.seccompProfile.type in ${VALID_TYPES})`,
      message:
        'container {{c.name}} sets securityContext.seccompProfile.type "{{c.securityContext.seccompProfile.type ?? ""}}"; ' +
        "set it to RuntimeDefault (or Localhost with a localhostProfile)",
      remediation:
        "Set the container's `securityContext.seccompProfile.type` to `RuntimeDefault` or " +
        "`Localhost`, or remove it and set a valid profile on the pod.",
    },
    containerNotSet: {
      fail: when`
        not (pod.spec.os.name == "windows")
        and not (pod.spec.securityContext.seccompProfile.type in ${VALID_TYPES})
        and any c in pod.containers: not exists(c.securityContext.seccompProfile)`,
      message:
        "container {{c.name}} has no seccomp profile and the pod sets no valid one; set " +
        "spec.securityContext.seccompProfile.type: RuntimeDefault",
      remediation:
        "Set `spec.securityContext.seccompProfile.type: RuntimeDefault` on the pod so every " +
        "container inherits it (or set a RuntimeDefault or Localhost profile on each container).",
    },
  },
  cases: {
    pass: [
      {
        name: "Pod with a RuntimeDefault pod-level profile inherited by every container",
        resource: asPod("api", {
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          initContainers: [container("migrate")],
          containers: [container("api")],
          ephemeralContainers: [container("debugger")],
        }),
      },
      {
        name: "Deployment without a pod profile where every container sets its own",
        resource: asDeployment("api", {
          initContainers: [
            container("migrate", {
              seccompProfile: { type: "Localhost", localhostProfile: "profiles/migrate.json" },
            }),
          ],
          containers: [container("api", { seccompProfile: { type: "RuntimeDefault" } })],
        }),
      },
      {
        name: "Windows pod without any profile (exempt since 1.25)",
        resource: asPod("iis", {
          os: { name: "windows" },
          containers: [container("iis")],
        }),
      },
      fromYaml("cases/restrict-seccomp-strict/pass-cronjob-localhost-pod.yaml"),
    ],
    fail: [
      {
        name: "Pod without any seccomp profile",
        resource: asPod("plain", { containers: [container("app")] }),
        rules: ["containerNotSet"],
      },
      {
        name: "Deployment whose init container has no profile while the container sets one",
        resource: asDeployment("api", {
          initContainers: [container("migrate")],
          containers: [container("api", { seccompProfile: { type: "RuntimeDefault" } })],
        }),
        rules: ["containerNotSet"],
      },
      {
        name: "Pod with an Unconfined pod profile: it covers no container either",
        resource: asPod("legacy", {
          securityContext: { seccompProfile: { type: "Unconfined" } },
          containers: [container("app")],
        }),
        rules: ["podProfile", "containerNotSet"],
      },
      {
        name: "Job with an Unconfined container under a valid pod profile",
        resource: asJob("migrate", {
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          containers: [container("migrate", { seccompProfile: { type: "Unconfined" } })],
        }),
        rules: ["containerProfile"],
      },
      {
        name: "ReplicaSet with os.name Linux (only windows is exempt) and no profile",
        resource: asReplicaSet("web", { os: { name: "linux" }, containers: [container("web")] }),
        rules: ["containerNotSet"],
      },
      {
        name: "CronJob whose Windows-looking os name is not exactly windows",
        resource: asCronJob("report", {
          os: { name: "Windows" },
          containers: [container("report")],
        }),
        rules: ["containerNotSet"],
      },
      fromYaml("cases/restrict-seccomp-strict/fail-pod-ephemeral-unset.yaml", {
        rules: ["containerNotSet"],
      }),
    ],
  },
});
