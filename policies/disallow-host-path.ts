import { pod, policy, when } from "@charter/dsl";
import {
  asCronJob,
  asDaemonSet,
  asDeployment,
  asPod,
  asStatefulSet,
  container,
} from "./support/workloads.js";

export default policy("disallow-host-path", {
  title: "Pods do not mount the node's filesystem",
  description:
    "A hostPath volume mounts a file or folder of the node into the pod: it can expose node " +
    "credentials, the container runtime socket or other pods' data, and lets a compromised " +
    "container write to the node. Pod Security Standards baseline forbids every hostPath " +
    "volume, whatever its path or type.",
  severity: "high",
  category: "Pod Security Standards (Baseline)",
  controls: [
    "pss:baseline:hostPathVolumes",
    "cis:5.2.11",
    "nsa:pod-security:host-access",
    "area:pod-security",
    "area:escape-prevention",
  ],
  match: pod,
  rules: {
    hostPath: {
      // PSA denies any volume whose hostPath is set, even to an empty object.
      fail: when`any v in pod.spec.volumes: exists(v.hostPath)`,
      message:
        'volume {{v.name}} mounts the node\'s path "{{v.hostPath.path}}" (spec.volumes[].hostPath); ' +
        "use a persistentVolumeClaim, emptyDir, configMap or secret volume instead",
      remediation:
        "Replace the hostPath volume: a PersistentVolumeClaim for data that must survive the " +
        "pod, emptyDir for scratch space, a configMap or secret volume for configuration.",
    },
  },
  cases: {
    pass: [
      {
        name: "Pod with emptyDir, configMap and projected volumes",
        resource: asPod("web", {
          containers: [container("web")],
          volumes: [
            { name: "cache", emptyDir: {} },
            { name: "config", configMap: { name: "web-config" } },
            { name: "token", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
          ],
        }),
      },
      {
        name: "StatefulSet keeping its data in a volume claim template",
        resource: asStatefulSet(
          "postgres",
          {
            containers: [
              {
                ...container("postgres"),
                volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }],
              },
            ],
          },
          {
            volumeClaimTemplates: [
              {
                metadata: { name: "data" },
                spec: {
                  accessModes: ["ReadWriteOnce"],
                  resources: { requests: { storage: "10Gi" } },
                },
              },
            ],
          },
        ),
      },
      {
        name: "Deployment without volumes",
        resource: asDeployment("api", { containers: [container("api")] }),
      },
      {
        name: "Pod whose volume has hostPath: null (missing, so no hostPath)",
        resource: asPod("odd", {
          containers: [container("app")],
          volumes: [{ name: "scratch", hostPath: null, emptyDir: {} }],
        }),
      },
    ],
    fail: [
      {
        name: "Pod mounting the container runtime socket",
        resource: asPod("ci-runner", {
          containers: [container("runner")],
          volumes: [
            { name: "docker-sock", hostPath: { path: "/var/run/docker.sock", type: "Socket" } },
          ],
        }),
        rules: ["hostPath"],
      },
      {
        name: "Deployment whose second volume is a hostPath",
        resource: asDeployment("api", {
          containers: [container("api")],
          volumes: [
            { name: "tmp", emptyDir: {} },
            { name: "data", hostPath: { path: "/srv/api", type: "DirectoryOrCreate" } },
          ],
        }),
        rules: ["hostPath"],
      },
      {
        name: "DaemonSet log shipper reading /var/log on the node",
        resource: asDaemonSet("log-shipper", {
          containers: [container("shipper")],
          volumes: [{ name: "varlog", hostPath: { path: "/var/log" } }],
        }),
        rules: ["hostPath"],
      },
      {
        name: "CronJob with an empty hostPath object (still a hostPath volume)",
        resource: asCronJob("cleanup", {
          containers: [container("cleanup")],
          volumes: [{ name: "root", hostPath: {} }],
        }),
        rules: ["hostPath"],
      },
    ],
  },
});
