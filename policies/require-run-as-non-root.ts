/**
 * The Pod Security Standards restricted `runAsNonRoot` check, exactly as Pod Security
 * Admission v1.37 runs it (`policy/check_runAsNonRoot.go`):
 * - the pod's own `securityContext.runAsNonRoot: false` fails, even when every container sets
 *   true (PSA counts the pod as a "bad setter" on its own);
 * - a container's explicit `runAsNonRoot: false` fails, whatever the pod says;
 * - a container that leaves it unset fails unless the pod sets it to true;
 * - since 1.35, a pod with its own user namespace (`spec.hostUsers: false`) is not checked.
 * "Unset" means missing or null, as in Go's nil pointer.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import {
  asCronJob,
  asDaemonSet,
  asDeployment,
  asPod,
  asReplicaSet,
  container,
} from "./support/workloads.js";

export default policy("require-run-as-non-root", {
  title: "Containers must run as a non-root user",
  description:
    "A container running as root (UID 0) is one kernel or runtime bug away from root on the " +
    "node. Pod Security Standards restricted requires `runAsNonRoot: true` for every container, " +
    "set on the container or inherited from the pod, and never `false` at either level. Pods " +
    "in their own user namespace (`hostUsers: false`) are exempt: their root is not the " +
    "node's root.",
  severity: "medium",
  category: "Pod Security Standards (Restricted)",
  controls: [
    "pss:restricted:runAsNonRoot",
    "cis:5.2.7",
    "nsa:pod-security:non-root",
    "area:pod-security",
  ],
  match: pod,
  rules: {
    podSetsFalse: {
      fail: when`not (pod.spec.hostUsers == false) and pod.spec.securityContext.runAsNonRoot == false`,
      message:
        "the pod sets spec.securityContext.runAsNonRoot: false; set it to true (the image must " +
        "run as a non-zero UID)",
      remediation:
        "Set `spec.securityContext.runAsNonRoot: true` and make sure the image runs as a " +
        "non-root user (`USER 10001` in the Dockerfile, or `runAsUser`).",
    },
    containerSetsFalse: {
      fail: when`
        not (pod.spec.hostUsers == false)
        and any c in pod.containers: c.securityContext.runAsNonRoot == false`,
      message:
        "container {{c.name}} sets securityContext.runAsNonRoot: false; set it to true or " +
        "remove it and set runAsNonRoot: true on the pod",
      remediation:
        "Remove the container's `runAsNonRoot: false` and set `runAsNonRoot: true` on the pod " +
        "(or on the container); run the image as a non-root user.",
    },
    containerNotSet: {
      fail: when`
        not (pod.spec.hostUsers == false)
        and not (pod.spec.securityContext.runAsNonRoot == true)
        and any c in pod.containers: not exists(c.securityContext.runAsNonRoot)`,
      message:
        "container {{c.name}} may run as root: neither it nor the pod sets " +
        "securityContext.runAsNonRoot: true; set spec.securityContext.runAsNonRoot: true",
      remediation:
        "Set `spec.securityContext.runAsNonRoot: true` on the pod so every container inherits " +
        "it, and run the image as a non-root user.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/require-run-as-non-root/pass-pod-level-true.yaml"),
      fromYaml("cases/require-run-as-non-root/pass-deployment-containers-true.yaml"),
      {
        name: "Pod-level true inherited by an ephemeral container without a securityContext",
        resource: asPod("api-7d9f", {
          securityContext: { runAsNonRoot: true },
          containers: [container("api")],
          ephemeralContainers: [container("debugger")],
        }),
      },
      {
        name: "CronJob: pod-level true and the container also true",
        resource: asCronJob("reminders", {
          securityContext: { runAsNonRoot: true, runAsUser: 10001 },
          containers: [container("reminders", { runAsNonRoot: true })],
        }),
      },
      {
        name: "Pod in its own user namespace (hostUsers: false) is exempt, even with false",
        resource: asPod("userns", {
          hostUsers: false,
          securityContext: { runAsNonRoot: false },
          containers: [container("app", { runAsNonRoot: false })],
          initContainers: [container("setup")],
        }),
      },
    ],
    fail: [
      fromYaml("cases/require-run-as-non-root/fail-pod-unset.yaml", { rules: ["containerNotSet"] }),
      fromYaml("cases/require-run-as-non-root/fail-pod-false.yaml", {
        rules: ["podSetsFalse", "containerNotSet"],
      }),
      fromYaml("cases/require-run-as-non-root/fail-statefulset-container-false.yaml", {
        rules: ["containerSetsFalse"],
      }),
      fromYaml("cases/require-run-as-non-root/fail-job-init-container-false.yaml", {
        rules: ["containerSetsFalse"],
      }),
      {
        name: "Deployment: pod-level false fails even though every container sets true",
        resource: asDeployment("api", {
          securityContext: { runAsNonRoot: false },
          initContainers: [container("migrate", { runAsNonRoot: true })],
          containers: [container("api", { runAsNonRoot: true })],
        }),
        rules: ["podSetsFalse"],
      },
      {
        name: "Pod: an ephemeral container overrides the pod's true with false",
        resource: asPod("api-7d9f", {
          securityContext: { runAsNonRoot: true },
          containers: [container("api")],
          ephemeralContainers: [container("debugger", { runAsNonRoot: false })],
        }),
        rules: ["containerSetsFalse"],
      },
      {
        name: "CronJob without any securityContext",
        resource: asCronJob("cleanup", { containers: [container("cleanup")] }),
        rules: ["containerNotSet"],
      },
      {
        name: "DaemonSet with hostUsers: true (only false exempts) and nothing set",
        resource: asDaemonSet("agent", { hostUsers: true, containers: [container("agent")] }),
        rules: ["containerNotSet"],
      },
      {
        name: "ReplicaSet whose securityContexts are null",
        resource: asReplicaSet("web", {
          securityContext: null,
          containers: [container("web", null)],
        }),
        rules: ["containerNotSet"],
      },
    ],
  },
});
