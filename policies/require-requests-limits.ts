/**
 * Every container and init container sets CPU and memory requests and limits. Decisions:
 * - ephemeral containers are not checked: the API server refuses `resources` on them (they
 *   share the pod's allocation), so they could never comply. The rules range over
 *   `spec.containers` and `spec.initContainers` only, not `pod.containers`;
 * - init containers are checked: they run one at a time before the app, and the scheduler
 *   reserves the largest of their requests, so an init container without them is unbounded;
 * - a request counts as set when the matching limit is: for a Pod the API server defaults a
 *   missing request to its limit before admission, so the same manifest must not fail offline
 *   and pass at admission. A limit is never defaulted, so it must be written;
 * - pod-level `spec.resources` (beta since 1.34) does not count: containers must still say
 *   what they need, which is what quotas and LimitRanges read.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import { asCronJob, asDeployment, asPod, container } from "./support/workloads.js";

/** Requests and limits this library's cases use for a well-behaved container. */
const BOUNDED = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { cpu: "500m", memory: "256Mi" },
};

function bounded(name: string) {
  return { ...container(name), resources: BOUNDED };
}

export default policy("require-requests-limits", {
  title: "Containers set CPU and memory requests and limits",
  description:
    "A container without requests is scheduled as if it needed nothing, and one without " +
    "limits can starve its neighbours on the node (a noisy neighbour, or a denial of service " +
    "from a compromised process). Every container and init container must set " +
    "`resources.requests` and `resources.limits` for both `cpu` and `memory`; a request may " +
    "be left out when its limit is set (Kubernetes then uses the limit as the request). " +
    "Ephemeral containers are not checked: Kubernetes does not allow `resources` on them.",
  severity: "medium",
  category: "Runtime hardening",
  controls: ["nsa:network:resource-policies", "area:runtime-hardening"],
  match: pod,
  rules: {
    cpuRequest: {
      fail: when`
        any list in [pod.spec.containers, pod.spec.initContainers]:
          any c in list:
            not exists(c.resources.requests.cpu) and not exists(c.resources.limits.cpu)`,
      message:
        "container {{c.name}} sets no CPU request; set resources.requests.cpu (for example 100m)",
      remediation:
        "Set `resources.requests.cpu` on every container and init container to what it needs " +
        "at steady state (for example `100m`); the scheduler reserves it on the node.",
    },
    memoryRequest: {
      fail: when`
        any list in [pod.spec.containers, pod.spec.initContainers]:
          any c in list:
            not exists(c.resources.requests.memory) and not exists(c.resources.limits.memory)`,
      message:
        "container {{c.name}} sets no memory request; set resources.requests.memory (for " +
        "example 128Mi)",
      remediation:
        "Set `resources.requests.memory` on every container and init container to its working " +
        "set (for example `128Mi`); the scheduler reserves it on the node.",
    },
    cpuLimit: {
      fail: when`
        any list in [pod.spec.containers, pod.spec.initContainers]:
          any c in list: not exists(c.resources.limits.cpu)`,
      message:
        "container {{c.name}} sets no CPU limit; set resources.limits.cpu (for example 500m)",
      remediation:
        "Set `resources.limits.cpu` on every container and init container: the most CPU it " +
        "may use before it is throttled.",
    },
    memoryLimit: {
      fail: when`
        any list in [pod.spec.containers, pod.spec.initContainers]:
          any c in list: not exists(c.resources.limits.memory)`,
      message:
        "container {{c.name}} sets no memory limit; set resources.limits.memory (for example " +
        "256Mi)",
      remediation:
        "Set `resources.limits.memory` on every container and init container: the most memory " +
        "it may use before it is killed (OOM) instead of starving the node.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/require-requests-limits/pass-statefulset-init-and-sidecar.yaml"),
      {
        name: "Pod whose containers set everything; its ephemeral container cannot",
        resource: asPod("api-7d9f", {
          initContainers: [bounded("migrate")],
          containers: [bounded("api")],
          ephemeralContainers: [container("debugger")],
        }),
      },
      {
        name: "Deployment setting limits only (requests default to them)",
        resource: asDeployment("web", {
          containers: [{ ...container("web"), resources: { limits: { cpu: 1, memory: "512Mi" } } }],
        }),
      },
    ],
    fail: [
      fromYaml("cases/require-requests-limits/fail-daemonset-requests-only.yaml", {
        rules: ["cpuLimit", "memoryLimit"],
      }),
      {
        name: "Pod without resources",
        resource: asPod("plain", { containers: [container("app")] }),
        rules: ["cpuRequest", "memoryRequest", "cpuLimit", "memoryLimit"],
      },
      {
        name: "CronJob whose init container sets no memory limit",
        resource: asCronJob("report", {
          initContainers: [
            {
              ...container("fetch"),
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "100m" } },
            },
          ],
          containers: [bounded("report")],
        }),
        rules: ["memoryLimit"],
      },
      {
        name: "Deployment whose sidecar sets memory but no CPU",
        resource: asDeployment("api", {
          containers: [
            bounded("api"),
            {
              ...container("proxy"),
              resources: { requests: { memory: "32Mi" }, limits: { memory: "64Mi" } },
            },
          ],
        }),
        rules: ["cpuRequest", "cpuLimit"],
      },
    ],
  },
});
