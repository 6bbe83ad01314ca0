/**
 * The Pod Security Standards baseline `hostPorts` check, exactly as Pod Security Admission
 * v1.37 runs it (`policy/check_hostPorts.go`): any port of any container, init container or
 * ephemeral container whose `hostPort` is set and not 0 fails. A port without `hostPort`, or
 * with `hostPort: 0`, is fine.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import { asDaemonSet, asJob, asPod, asReplicaSet, container } from "./support/workloads.js";

/** A container with a securityContext left out and the given `ports`. */
function withPorts(name: string, ports: { containerPort: number; hostPort?: number }[]) {
  return { ...container(name), ports };
}

export default policy("disallow-host-ports", {
  title: "Containers do not bind ports on the node",
  description:
    "A `hostPort` opens a port on the node's own network interfaces, past NetworkPolicies and " +
    "Services, and pins the pod to nodes where that port is free. Pod Security Standards " +
    "baseline forbids any non-zero `hostPort` on every container, init container and " +
    "ephemeral container.",
  severity: "high",
  category: "Pod Security Standards (Baseline)",
  controls: [
    "pss:baseline:hostPorts",
    "cis:5.2.12",
    "nsa:pod-security:host-access",
    "area:pod-security",
    "area:network",
  ],
  match: pod,
  rules: {
    hostPort: {
      fail: when`any c in pod.containers: any p in c.ports: p.hostPort != 0`,
      message:
        "container {{c.name}} binds host port {{p.hostPort}} (ports[].hostPort); remove " +
        "hostPort and use a Service to expose the container port",
      remediation:
        "Remove `hostPort` from the container's `ports` (or set it to 0) and expose the " +
        "`containerPort` through a Service (ClusterIP, or a LoadBalancer/Ingress from outside).",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/disallow-host-ports/pass-deployment-container-ports.yaml"),
      {
        name: "Pod without ports",
        resource: asPod("plain", { containers: [container("app")] }),
      },
      {
        name: "DaemonSet with hostPort: 0 (the same as unset)",
        resource: asDaemonSet("agent", {
          containers: [withPorts("agent", [{ containerPort: 9100, hostPort: 0 }])],
        }),
      },
    ],
    fail: [
      fromYaml("cases/disallow-host-ports/fail-pod-init-container.yaml", { rules: ["hostPort"] }),
      {
        name: "Pod binding host port 80",
        resource: asPod("web", {
          containers: [withPorts("web", [{ containerPort: 8080, hostPort: 80 }])],
        }),
        rules: ["hostPort"],
      },
      {
        name: "DaemonSet node exporter on host port 9100, second port of two",
        resource: asDaemonSet("node-exporter", {
          containers: [
            withPorts("exporter", [
              { containerPort: 8080 },
              { containerPort: 9100, hostPort: 9100 },
            ]),
          ],
        }),
        rules: ["hostPort"],
      },
      {
        name: "ReplicaSet whose second container binds a host port",
        resource: asReplicaSet("web", {
          containers: [
            withPorts("web", [{ containerPort: 8080 }]),
            withPorts("proxy", [{ containerPort: 443, hostPort: 443 }]),
          ],
        }),
        rules: ["hostPort"],
      },
      {
        name: "Pod whose ephemeral debug container binds a host port",
        resource: asPod("api-7d9f", {
          containers: [container("api")],
          ephemeralContainers: [withPorts("debugger", [{ containerPort: 2345, hostPort: 2345 }])],
        }),
        rules: ["hostPort"],
      },
      {
        name: "Job binding a host port",
        resource: asJob("load", {
          containers: [withPorts("load", [{ containerPort: 5000, hostPort: 5000 }])],
        }),
        rules: ["hostPort"],
      },
    ],
  },
});
