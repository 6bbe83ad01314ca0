/**
 * Every container's root filesystem is mounted read-only
 * (`securityContext.readOnlyRootFilesystem: true`), so an attacker who gets code execution
 * cannot drop tools or change binaries in the image. Decisions:
 * - all three container lists are checked: an ephemeral debug container can write to its own
 *   root filesystem as well, and the field is allowed on it;
 * - there is no pod-level field, so each container sets it itself; unset or null fails
 *   (the runtime's default is writable);
 * - a Windows pod (`spec.os.name: windows`, exactly) is exempt, like in the PSS policies: the
 *   API server rejects `readOnlyRootFilesystem` on such a pod, so it could never comply.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import { asDaemonSet, asJob, asPod, asStatefulSet, container } from "./support/workloads.js";

const READ_ONLY = { readOnlyRootFilesystem: true };

export default policy("require-read-only-root-filesystem", {
  title: "Containers run with a read-only root filesystem",
  description:
    "A writable root filesystem lets a compromised process install tools, change binaries or " +
    "hide persistence in the container. Every container, init container and ephemeral " +
    "container must set `securityContext.readOnlyRootFilesystem: true`; mount an `emptyDir` " +
    "where the program must write (`/tmp`, caches). Windows pods (`spec.os.name: windows`) " +
    "are exempt: Kubernetes does not allow the field there.",
  severity: "medium",
  category: "Runtime hardening",
  controls: ["cis:5.6.3", "nsa:pod-security:immutable-fs", "area:runtime-hardening"],
  match: pod,
  rules: {
    readOnlyRootFilesystem: {
      fail: when`
        not (pod.spec.os.name == "windows")
        and any c in pod.containers: not (c.securityContext.readOnlyRootFilesystem == true)`,
      message:
        "container {{c.name}} does not set securityContext.readOnlyRootFilesystem: true; set " +
        "it to true and mount an emptyDir where the program writes",
      remediation:
        "Set `securityContext.readOnlyRootFilesystem: true` on every container, init container " +
        "and ephemeral container. Where the program must write (`/tmp`, a cache, a pid file), " +
        "add an `emptyDir` volume and mount it at that path.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/require-read-only-root-filesystem/pass-deployment-with-scratch-volume.yaml"),
      {
        name: "Pod whose every kind of container is read-only",
        resource: asPod("api-7d9f", {
          initContainers: [container("migrate", READ_ONLY)],
          containers: [container("api", READ_ONLY)],
          ephemeralContainers: [container("debugger", READ_ONLY)],
        }),
      },
      {
        name: "Windows DaemonSet is exempt",
        resource: asDaemonSet("log-agent", {
          os: { name: "windows" },
          containers: [container("agent")],
        }),
      },
    ],
    fail: [
      fromYaml("cases/require-read-only-root-filesystem/fail-statefulset-explicit-false.yaml", {
        rules: ["readOnlyRootFilesystem"],
      }),
      {
        name: "Pod without a securityContext",
        resource: asPod("plain", { containers: [container("app")] }),
        rules: ["readOnlyRootFilesystem"],
      },
      {
        name: "Job whose init container leaves the field out",
        resource: asJob("migrate", {
          initContainers: [container("wait", { allowPrivilegeEscalation: false })],
          containers: [container("migrate", READ_ONLY)],
        }),
        rules: ["readOnlyRootFilesystem"],
      },
      {
        name: "Pod whose ephemeral debug container is writable",
        resource: asPod("api-7d9f", {
          containers: [container("api", READ_ONLY)],
          ephemeralContainers: [container("debugger", null)],
        }),
        rules: ["readOnlyRootFilesystem"],
      },
      {
        name: 'StatefulSet whose container sets the string "true"',
        resource: asStatefulSet("cache", {
          containers: [container("cache", { readOnlyRootFilesystem: "true" })],
        }),
        rules: ["readOnlyRootFilesystem"],
      },
    ],
  },
});
