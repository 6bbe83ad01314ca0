/**
 * The Pod Security Standards baseline `capabilities_baseline` check, exactly as Pod Security
 * Admission v1.37 runs it (`policy/check_capabilities_baseline.go`): every entry of a
 * container's `securityContext.capabilities.add` must be one of the 13 capabilities a container
 * runtime grants by default. The match is exact and case-sensitive, so `chown` and `CAP_CHOWN`
 * fail. `drop` is not looked at, and there is no Windows or user-namespace exemption.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import {
  asCronJob,
  asDaemonSet,
  asDeployment,
  asPod,
  asStatefulSet,
  container,
} from "./support/workloads.js";

/** The runtime's default capability set: adding one of these back grants nothing new. */
const ALLOWED_CAPABILITIES = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
];

export default policy("disallow-capabilities", {
  title: "Containers add no capabilities beyond the runtime defaults",
  description:
    "Linux capabilities such as SYS_ADMIN, NET_ADMIN or NET_RAW hand a container pieces of " +
    "root's power over the node. Pod Security Standards baseline allows " +
    "`securityContext.capabilities.add` to name only the 13 capabilities a container runtime " +
    `grants by default (${ALLOWED_CAPABILITIES.join(", ")}), spelled exactly so, on every ` +
    "container, init container and ephemeral container.",
  severity: "high",
  category: "Pod Security Standards (Baseline)",
  controls: ["pss:baseline:capabilities_baseline", "area:pod-security", "area:escape-prevention"],
  match: pod,
  rules: {
    addedCapability: {
      fail: when`
        any c in pod.containers:
          any added in c.securityContext.capabilities.add: not (added in ${ALLOWED_CAPABILITIES})`,
      message:
        "container {{c.name}} adds capability {{added}} in securityContext.capabilities.add; " +
        "remove it (only the runtime defaults, such as NET_BIND_SERVICE or CHOWN, spelled " +
        "upper-case without CAP_, may be added)",
      remediation:
        "Remove the capability from `securityContext.capabilities.add`. Only AUDIT_WRITE, " +
        "CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, " +
        "SETPCAP, SETUID and SYS_CHROOT may be added, written exactly so (no `CAP_` prefix, " +
        "upper-case). Better still, drop ALL and add back only what the process needs.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/disallow-capabilities/pass-deployment-all-defaults.yaml"),
      {
        name: "Pod without any securityContext",
        resource: asPod("plain", { containers: [container("app")] }),
      },
      {
        name: "StatefulSet that drops ALL and adds back NET_BIND_SERVICE",
        resource: asStatefulSet("web", {
          containers: [
            container("web", { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } }),
          ],
        }),
      },
      {
        name: "Pod that only drops capabilities, even ones outside the defaults",
        resource: asPod("dropper", {
          containers: [container("app", { capabilities: { drop: ["NET_RAW", "SYS_ADMIN"] } })],
        }),
      },
      {
        name: "CronJob whose capabilities are null",
        resource: asCronJob("cleanup", {
          containers: [container("cleanup", { capabilities: null })],
        }),
      },
    ],
    fail: [
      fromYaml("cases/disallow-capabilities/fail-pod-lower-case.yaml", {
        rules: ["addedCapability"],
      }),
      {
        name: "Pod adding NET_RAW",
        resource: asPod("ping", {
          containers: [container("ping", { capabilities: { add: ["NET_RAW"] } })],
        }),
        rules: ["addedCapability"],
      },
      {
        name: "Deployment whose init container adds SYS_ADMIN beside an allowed one",
        resource: asDeployment("api", {
          initContainers: [container("mount", { capabilities: { add: ["CHOWN", "SYS_ADMIN"] } })],
          containers: [container("api")],
        }),
        rules: ["addedCapability"],
      },
      {
        name: "DaemonSet adding CAP_CHOWN (the CAP_ prefix is not the allowed spelling)",
        resource: asDaemonSet("agent", {
          containers: [container("agent", { capabilities: { add: ["CAP_CHOWN"] } })],
        }),
        rules: ["addedCapability"],
      },
      {
        name: "Pod whose ephemeral debug container adds SYS_PTRACE",
        resource: asPod("api-7d9f", {
          containers: [container("api")],
          ephemeralContainers: [container("debugger", { capabilities: { add: ["SYS_PTRACE"] } })],
        }),
        rules: ["addedCapability"],
      },
    ],
  },
});
