/**
 * Services reachable only through the cluster's front doors. Two rules:
 * - `nodePort`: `spec.type: NodePort` opens the port on every node. A LoadBalancer Service also
 *   allocates node ports behind its load balancer, but it is the intended way out and is left
 *   alone here.
 * - `externalIPs`: any entry in `spec.externalIPs` (the field lets a Service claim traffic for
 *   an address it does not own, CVE-2020-8554).
 */
import { fromYaml, kinds, policy, when } from "@charter/dsl";
import type { JsonObject } from "@charter/ir";

function service(name: string, spec: JsonObject): JsonObject {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: "shop" }, spec };
}

const PORTS = [{ name: "http", port: 80, targetPort: 8080 }];

export default policy("restrict-service-external-access", {
  title: "Services are not exposed on node ports or external IPs",
  description:
    "A NodePort Service opens its port on every node of the cluster, past the load balancer " +
    "and its firewall rules; `spec.externalIPs` makes nodes answer for an address the Service " +
    "does not own (CVE-2020-8554). Expose Services through an Ingress or a LoadBalancer " +
    "instead. Fails a Service whose `spec.type` is `NodePort`, and one with any entry in " +
    "`spec.externalIPs`.",
  severity: "high",
  category: "Network",
  controls: ["nsa:network", "area:network"],
  match: kinds("v1/Service"),
  rules: {
    nodePort: {
      fail: when`object.spec.type == "NodePort"`,
      message:
        "Service {{object.metadata.name}} has spec.type NodePort, which opens its port on every " +
        "node; use type ClusterIP behind an Ingress, or type LoadBalancer",
      remediation:
        "Set `spec.type` to `ClusterIP` and route outside traffic through an Ingress (or use " +
        "`LoadBalancer`), and remove any `nodePort` from `spec.ports`.",
    },
    externalIPs: {
      fail: when`any ip in object.spec.externalIPs: exists(ip)`,
      message:
        "Service {{object.metadata.name}} claims external IP {{ip}} (spec.externalIPs); remove " +
        "spec.externalIPs and use a LoadBalancer Service or an Ingress",
      remediation:
        "Remove `spec.externalIPs`. To receive outside traffic, use a `LoadBalancer` Service or " +
        "an Ingress; the DenyServiceExternalIPs admission plugin blocks the field cluster-wide.",
    },
  },
  cases: {
    pass: [
      {
        name: "ClusterIP Service",
        resource: service("api", { selector: { app: "api" }, ports: PORTS }),
      },
      {
        name: "Service without a type (ClusterIP by default) and an empty externalIPs list",
        resource: service("web", { selector: { app: "web" }, ports: PORTS, externalIPs: [] }),
      },
      {
        name: "LoadBalancer Service",
        resource: service("gateway", {
          type: "LoadBalancer",
          selector: { app: "gateway" },
          ports: [{ name: "https", port: 443, targetPort: 8443 }],
        }),
      },
      {
        name: "ExternalName Service",
        resource: service("payments", { type: "ExternalName", externalName: "pay.example.com" }),
      },
    ],
    fail: [
      fromYaml("cases/restrict-service-external-access/fail-nodeport-with-external-ips.yaml", {
        rules: ["nodePort", "externalIPs"],
      }),
      {
        name: "NodePort Service",
        resource: service("debug", {
          type: "NodePort",
          selector: { app: "api" },
          ports: [{ name: "http", port: 80, targetPort: 8080, nodePort: 30080 }],
        }),
        rules: ["nodePort"],
      },
      {
        name: "ClusterIP Service claiming an external IP",
        resource: service("mitm", {
          selector: { app: "api" },
          ports: PORTS,
          externalIPs: ["203.0.113.10"],
        }),
        rules: ["externalIPs"],
      },
      {
        name: "LoadBalancer Service with external IPs too",
        resource: service("gateway", {
          type: "LoadBalancer",
          selector: { app: "gateway" },
          ports: PORTS,
          externalIPs: ["198.51.100.7", "198.51.100.8"],
        }),
        rules: ["externalIPs"],
      },
    ],
  },
});
