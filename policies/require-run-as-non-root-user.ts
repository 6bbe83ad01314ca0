/**
 * The Pod Security Standards restricted `runAsUser` check, exactly as Pod Security Admission
 * v1.37 runs it (`policy/check_runAsUser.go`):
 * - the pod's own `securityContext.runAsUser: 0` fails, whatever the containers say (PSA
 *   counts the pod as a bad setter on its own);
 * - any container, init container or ephemeral container with `runAsUser: 0` fails;
 * - unset, null and every other value pass (the `runAsNonRoot` check covers images that
 *   default to root);
 * - since 1.35, a pod with its own user namespace (`spec.hostUsers: false`) is not checked.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import {
  asDaemonSet,
  asDeployment,
  asJob,
  asPod,
  asStatefulSet,
  container,
} from "./support/workloads.js";

export default policy("require-run-as-non-root-user", {
  title: "Pods and containers do not set user ID 0",
  description:
    "`runAsUser: 0` runs the container's processes as root, which is one kernel or runtime " +
    "bug away from root on the node. Pod Security Standards restricted forbids it in the " +
    "pod's securityContext and in every container, init container and ephemeral container. " +
    "Pods in their own user namespace (`hostUsers: false`) are exempt: their root is not the " +
    "node's root.",
  severity: "medium",
  category: "Pod Security Standards (Restricted)",
  controls: [
    "pss:restricted:runAsUser",
    "cis:5.2.7",
    "nsa:pod-security:non-root",
    "area:pod-security",
  ],
  match: pod,
  rules: {
    podRunsAsRoot: {
      fail: when`not (pod.spec.hostUsers == false) and pod.spec.securityContext.runAsUser == 0`,
      message:
        "the pod sets spec.securityContext.runAsUser: 0 (root); set it to a non-zero UID such " +
        "as 10001, or remove it",
      remediation:
        "Set `spec.securityContext.runAsUser` to a non-zero UID (for example 10001) that the " +
        "image can run as, or remove it and set `USER` in the Dockerfile.",
    },
    containerRunsAsRoot: {
      fail: when`
        not (pod.spec.hostUsers == false)
        and any c in pod.containers: c.securityContext.runAsUser == 0`,
      message:
        "container {{c.name}} sets securityContext.runAsUser: 0 (root); set it to a non-zero " +
        "UID such as 10001, or remove it",
      remediation:
        "Set the container's `securityContext.runAsUser` to a non-zero UID (for example " +
        "10001), or remove it so the pod's non-zero `runAsUser` applies.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/require-run-as-non-root-user/pass-statefulset-non-zero.yaml"),
      {
        name: "Pod without any securityContext (runAsUser unset is allowed)",
        resource: asPod("plain", { containers: [container("app")] }),
      },
      {
        name: "Deployment with non-zero UIDs and a null one",
        resource: asDeployment("api", {
          securityContext: { runAsUser: 10001, runAsNonRoot: true },
          initContainers: [container("migrate", { runAsUser: 1000 })],
          containers: [container("api", { runAsUser: null })],
        }),
      },
      {
        name: "Pod in its own user namespace (hostUsers: false) is exempt, even with 0",
        resource: asPod("userns", {
          hostUsers: false,
          securityContext: { runAsUser: 0 },
          containers: [container("app", { runAsUser: 0 })],
        }),
      },
    ],
    fail: [
      fromYaml("cases/require-run-as-non-root-user/fail-pod-pod-level-zero.yaml", {
        rules: ["podRunsAsRoot"],
      }),
      {
        name: "Deployment: pod-level 0 fails even though every container sets a non-zero UID",
        resource: asDeployment("api", {
          securityContext: { runAsUser: 0 },
          containers: [container("api", { runAsUser: 10001 })],
        }),
        rules: ["podRunsAsRoot"],
      },
      {
        name: "Job whose init container runs as 0",
        resource: asJob("migrate", {
          securityContext: { runAsUser: 10001 },
          initContainers: [container("chown", { runAsUser: 0 })],
          containers: [container("migrate")],
        }),
        rules: ["containerRunsAsRoot"],
      },
      {
        name: "Pod whose ephemeral debug container runs as 0",
        resource: asPod("api-7d9f", {
          containers: [container("api")],
          ephemeralContainers: [container("debugger", { runAsUser: 0 })],
        }),
        rules: ["containerRunsAsRoot"],
      },
      {
        name: "DaemonSet with hostUsers: true (only false exempts) and 0 at both levels",
        resource: asDaemonSet("agent", {
          hostUsers: true,
          securityContext: { runAsUser: 0 },
          containers: [container("agent", { runAsUser: 0 })],
        }),
        rules: ["podRunsAsRoot", "containerRunsAsRoot"],
      },
      {
        name: "StatefulSet whose second container runs as 0",
        resource: asStatefulSet("db", {
          containers: [container("db", { runAsUser: 999 }), container("backup", { runAsUser: 0 })],
        }),
        rules: ["containerRunsAsRoot"],
      },
    ],
  },
});
