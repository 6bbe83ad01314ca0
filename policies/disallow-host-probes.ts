/**
 * The Pod Security Standards baseline `hostProbesAndHostLifecycle` check (since 1.34), exactly
 * as Pod Security Admission v1.37 runs it (`policy/check_hostProbesAndHostLifecycle.go`): a
 * non-empty `host` in the `httpGet` or `tcpSocket` handler of a liveness, readiness or startup
 * probe, or of a postStart or preStop lifecycle hook, fails, on every container, init container
 * and ephemeral container. No value is allowed: `127.0.0.1` and `::1` fail too. (gRPC, exec and
 * sleep handlers have no host.) Kyverno has no policy for this check. Each probe and hook is a
 * rule of its own, built by `probeRule` / `hookRule`, so a finding names the field to fix.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import { asCronJob, asDeployment, asPod, asStatefulSet, container } from "./support/workloads.js";

/** The probes a container may have, each a `Probe` with `httpGet` / `tcpSocket` handlers. */
const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
/** The lifecycle hooks, each a `LifecycleHandler` with the same two handlers. */
const HOOKS = ["postStart", "preStop"] as const;

const REMEDIATION =
  "Remove `host` from the handler: the kubelet then connects to the pod's own IP, which is " +
  "what a probe or hook should reach. To check another service, do it from inside the " +
  "container (an `exec` handler) instead of having the node connect to it.";

/** A rule's message: `field` is the handler's path from the container, e.g. `lifecycle.preStop`. */
function messageFor(field: string, what: string): string {
  const at = `c.${field}`;
  return (
    `container {{c.name}} sets ${field} host {{${at}.httpGet.host ?? ${at}.tcpSocket.host}} ` +
    `(httpGet.host or tcpSocket.host); remove host so the ${what} targets the pod itself`
  );
}

function probeRule(probe: (typeof PROBES)[number]) {
  return {
    fail: when`
      any c in pod.containers: c[${probe}].httpGet.host != "" or c[${probe}].tcpSocket.host != ""`,
    message: messageFor(probe, "probe"),
    remediation: REMEDIATION,
  };
}

function hookRule(hook: (typeof HOOKS)[number]) {
  return {
    fail: when`
      any c in pod.containers:
        c.lifecycle[${hook}].httpGet.host != "" or c.lifecycle[${hook}].tcpSocket.host != ""`,
    message: messageFor(`lifecycle.${hook}`, "hook"),
    remediation: REMEDIATION,
  };
}

export default policy("disallow-host-probes", {
  title: "Probes and lifecycle hooks do not target other hosts",
  description:
    "The kubelet runs a pod's probes and lifecycle hooks from the node. A `host` in their " +
    "`httpGet` or `tcpSocket` handler makes the node connect wherever the pod says: to other " +
    "pods, to the node's own localhost services, or to a cloud metadata endpoint. Pod Security " +
    "Standards baseline (since Kubernetes 1.34) forbids any non-empty `host` in liveness, " +
    "readiness and startup probes and in postStart and preStop hooks, `127.0.0.1` and `::1` " +
    "included, on every container, init container and ephemeral container.",
  severity: "medium",
  category: "Pod Security Standards (Baseline)",
  controls: ["pss:baseline:hostProbesAndHostLifecycle", "area:pod-security"],
  match: pod,
  rules: {
    livenessProbe: probeRule("livenessProbe"),
    readinessProbe: probeRule("readinessProbe"),
    startupProbe: probeRule("startupProbe"),
    postStart: hookRule("postStart"),
    preStop: hookRule("preStop"),
  },
  cases: {
    pass: [
      fromYaml("cases/disallow-host-probes/pass-deployment-probes-without-host.yaml"),
      {
        name: "Pod without probes or hooks",
        resource: asPod("plain", { containers: [container("app")] }),
      },
      {
        name: "Pod with an empty host, gRPC and exec probes",
        resource: asPod("api-7d9f", {
          containers: [
            {
              ...container("api"),
              livenessProbe: { httpGet: { host: "", path: "/healthz", port: 8080 } },
              readinessProbe: { grpc: { port: 9090 } },
              startupProbe: { exec: { command: ["/bin/ready"] } },
            },
          ],
        }),
      },
      {
        name: "StatefulSet whose hooks have no host and whose host is null",
        resource: asStatefulSet("db", {
          containers: [
            {
              ...container("db"),
              lifecycle: {
                postStart: { httpGet: { path: "/warm", port: 5432 } },
                preStop: { tcpSocket: { host: null, port: 5432 } },
              },
            },
          ],
        }),
      },
    ],
    fail: [
      fromYaml("cases/disallow-host-probes/fail-pod-sidecar-tcp-host.yaml", {
        rules: ["readinessProbe"],
      }),
      {
        name: "Pod whose liveness probe checks 127.0.0.1 (loopback is not allowed either)",
        resource: asPod("loopback", {
          containers: [
            {
              ...container("app"),
              livenessProbe: { httpGet: { host: "127.0.0.1", port: 8080 } },
            },
          ],
        }),
        rules: ["livenessProbe"],
      },
      {
        name: "Deployment whose startup probe targets the metadata endpoint",
        resource: asDeployment("api", {
          containers: [
            {
              ...container("api"),
              startupProbe: { httpGet: { host: "169.254.169.254", path: "/", port: 80 } },
            },
          ],
        }),
        rules: ["startupProbe"],
      },
      {
        name: "CronJob with a postStart hook to another host and a preStop tcpSocket to ::1",
        resource: asCronJob("report", {
          containers: [
            {
              ...container("report"),
              lifecycle: {
                postStart: { httpGet: { host: "bad.host", port: 8080 } },
                preStop: { tcpSocket: { host: "::1", port: 8080 } },
              },
            },
          ],
        }),
        rules: ["postStart", "preStop"],
      },
      {
        name: "Pod whose ephemeral debug container has a readiness probe to another host",
        resource: asPod("api-7d9f", {
          containers: [container("api")],
          ephemeralContainers: [
            {
              ...container("debugger"),
              readinessProbe: { tcpSocket: { host: "db.internal", port: 5432 } },
            },
          ],
        }),
        rules: ["readinessProbe"],
      },
    ],
  },
});
