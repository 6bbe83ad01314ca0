/**
 * The Pod Security Standards restricted `capabilities_restricted` check, exactly as Pod
 * Security Admission v1.37 runs it (`policy/check_capabilities_restricted.go`):
 * - every container must list the exact string `ALL` in `securityContext.capabilities.drop`
 *   (a missing securityContext or capabilities counts as not dropping it);
 * - `capabilities.add` may hold only `NET_BIND_SERVICE`;
 * - since 1.25 a Windows pod (`spec.os.name: windows`, exactly) is not checked: Windows has no
 *   Linux capabilities, and the API rejects them on such a pod.
 * At restricted level it replaces the baseline `capabilities_baseline` check.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import {
  asDeployment,
  asPod,
  asReplicaSet,
  asStatefulSet,
  container,
} from "./support/workloads.js";

const RESTRICTED = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };

export default policy("disallow-capabilities-strict", {
  title: "Containers drop all capabilities and add back at most NET_BIND_SERVICE",
  description:
    "A container keeps the runtime's default Linux capabilities unless it drops them. Pod " +
    "Security Standards restricted requires every container, init container and ephemeral " +
    "container to drop `ALL` and to add back nothing but `NET_BIND_SERVICE` (binding ports " +
    "below 1024). Windows pods (`spec.os.name: windows`) are exempt: they have no Linux " +
    "capabilities.",
  severity: "medium",
  category: "Pod Security Standards (Restricted)",
  controls: [
    "pss:restricted:capabilities_restricted",
    "cis:5.2.8",
    "cis:5.2.9",
    "nsa:pod-security:enforcement",
    "area:pod-security",
    "area:escape-prevention",
  ],
  match: pod,
  rules: {
    dropAll: {
      fail: when`
        not (pod.spec.os.name == "windows")
        and any c in pod.containers: not ("ALL" in c.securityContext.capabilities.drop)`,
      message:
        'container {{c.name}} does not drop all capabilities; set securityContext.capabilities.drop: ["ALL"]',
      remediation:
        'Set `securityContext.capabilities.drop: ["ALL"]` on every container, init container ' +
        "and ephemeral container (exactly `ALL`, upper-case), then add back only " +
        "`NET_BIND_SERVICE` if the process binds a port below 1024.",
    },
    addOnlyNetBindService: {
      fail: when`
        not (pod.spec.os.name == "windows")
        and any c in pod.containers:
          any added in c.securityContext.capabilities.add: not (added == "NET_BIND_SERVICE")`,
      message:
        "container {{c.name}} adds capability {{added}} in securityContext.capabilities.add; " +
        "remove it (only NET_BIND_SERVICE may be added)",
      remediation:
        "Remove every capability but `NET_BIND_SERVICE` from `securityContext.capabilities.add`. " +
        "If the process needs another one, it cannot run under the restricted profile.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/disallow-capabilities-strict/pass-pod-windows.yaml"),
      {
        name: "Pod whose containers drop ALL and add nothing",
        resource: asPod("api-7d9f", {
          initContainers: [container("migrate", RESTRICTED)],
          containers: [container("api", RESTRICTED)],
          ephemeralContainers: [container("debugger", RESTRICTED)],
        }),
      },
      {
        name: "Deployment that drops ALL and adds back NET_BIND_SERVICE",
        resource: asDeployment("web", {
          containers: [
            container("web", { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } }),
          ],
        }),
      },
      {
        name: "StatefulSet that drops ALL among other names",
        resource: asStatefulSet("db", {
          containers: [container("db", { capabilities: { drop: ["NET_RAW", "ALL"] } })],
        }),
      },
    ],
    fail: [
      fromYaml("cases/disallow-capabilities-strict/fail-job-drop-each-not-all.yaml", {
        rules: ["dropAll"],
      }),
      {
        name: "Pod without any securityContext",
        resource: asPod("plain", { containers: [container("app")] }),
        rules: ["dropAll"],
      },
      {
        name: "Pod dropping lower-case all (the match is exact)",
        resource: asPod("lower", {
          containers: [container("app", { capabilities: { drop: ["all"] } })],
        }),
        rules: ["dropAll"],
      },
      {
        name: "Deployment whose init container adds CHOWN after dropping ALL",
        resource: asDeployment("api", {
          initContainers: [
            container("chown-data", { capabilities: { drop: ["ALL"], add: ["CHOWN"] } }),
          ],
          containers: [container("api", RESTRICTED)],
        }),
        rules: ["addOnlyNetBindService"],
      },
      {
        name: "ReplicaSet adding NET_RAW without dropping anything",
        resource: asReplicaSet("ping", {
          containers: [container("ping", { capabilities: { add: ["NET_RAW"] } })],
        }),
        rules: ["dropAll", "addOnlyNetBindService"],
      },
      {
        name: "Pod whose ephemeral debug container keeps the defaults",
        resource: asPod("api-7d9f", {
          containers: [container("api", RESTRICTED)],
          ephemeralContainers: [container("debugger", { allowPrivilegeEscalation: false })],
        }),
        rules: ["dropAll"],
      },
      {
        name: "Pod with os.name Linux is checked (only windows is exempt)",
        resource: asPod("linux", { os: { name: "linux" }, containers: [container("app")] }),
        rules: ["dropAll"],
      },
    ],
  },
});
