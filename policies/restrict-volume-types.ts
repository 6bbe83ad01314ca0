/**
 * The Pod Security Standards restricted `restrictedVolumes` check, exactly as Pod Security
 * Admission v1.37 decides it (`policy/check_restrictedVolumes.go`), on the pod as the API
 * server hands it to PSA:
 * - a volume passes when any of the nine allowed sources is set, whatever else it sets (Go's
 *   `switch` takes the allowed case first; API validation, not PSA, refuses two sources);
 * - a volume with no source at all is defaulted to `emptyDir` by the API server before PSA
 *   sees it (and unknown keys are dropped by decoding), so it passes;
 * - any other volume, that is one setting a Kubernetes volume source outside the nine, fails.
 *
 * The DSL cannot iterate an object's keys, so the condition names every source of the
 * Kubernetes `VolumeSource` type (30 at v1.37): the nine allowed, and the 21 others.
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

const ALLOWED_TEXT =
  "configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected " +
  "or secret";

export default policy("restrict-volume-types", {
  title: "Pods use only the restricted profile's volume types",
  description:
    "Volume types that reach node paths, network storage or in-tree drivers bypass the " +
    "storage a cluster administrator provisions. Pod Security Standards restricted allows " +
    `only ${ALLOWED_TEXT} volumes; any other source, hostPath included, is refused. A ` +
    "volume without a source is the API server's default, emptyDir.",
  severity: "medium",
  category: "Pod Security Standards (Restricted)",
  controls: [
    "pss:restricted:restrictedVolumes",
    "cis:5.2.11",
    "nsa:pod-security:host-access",
    "area:pod-security",
    "area:escape-prevention",
  ],
  match: pod,
  rules: {
    volumeType: {
      fail: when`
        any v in pod.spec.volumes:
          not (
            exists(v.configMap) or exists(v.csi) or exists(v.downwardAPI)
            or exists(v.emptyDir) or exists(v.ephemeral) or exists(v.image)
            or exists(v.persistentVolumeClaim) or exists(v.projected) or exists(v.secret)
          )
          and (
            exists(v.hostPath) or exists(v.gcePersistentDisk) or exists(v.awsElasticBlockStore)
            or exists(v.gitRepo) or exists(v.nfs) or exists(v.iscsi) or exists(v.glusterfs)
            or exists(v.rbd) or exists(v.flexVolume) or exists(v.cinder) or exists(v.cephfs)
            or exists(v.flocker) or exists(v.fc) or exists(v.azureFile)
            or exists(v.vsphereVolume) or exists(v.quobyte) or exists(v.azureDisk)
            or exists(v.photonPersistentDisk) or exists(v.portworxVolume) or exists(v.scaleIO)
            or exists(v.storageos)
          )`,
      message:
        `volume {{v.name}} uses a volume type the restricted profile does not allow; use ` +
        `${ALLOWED_TEXT} instead (a persistentVolumeClaim or csi volume for network storage)`,
      remediation:
        "Replace the volume: network or cloud disks through a PersistentVolumeClaim (or a CSI " +
        "driver), scratch space with emptyDir, configuration with configMap, secret or " +
        "projected volumes, a git checkout with an init container writing to emptyDir.",
    },
  },
  cases: {
    pass: [
      {
        name: "Pod with every allowed volume type",
        resource: asPod("web", {
          containers: [container("web")],
          volumes: [
            { name: "config", configMap: { name: "web-config" } },
            { name: "creds", csi: { driver: "secrets-store.csi.k8s.io", readOnly: true } },
            {
              name: "labels",
              downwardAPI: {
                items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }],
              },
            },
            { name: "cache", emptyDir: { medium: "Memory" } },
            {
              name: "scratch",
              ephemeral: {
                volumeClaimTemplate: {
                  spec: {
                    accessModes: ["ReadWriteOnce"],
                    resources: { requests: { storage: "1Gi" } },
                  },
                },
              },
            },
            { name: "models", image: { reference: "registry.example.com/todo/models:1" } },
            { name: "data", persistentVolumeClaim: { claimName: "web-data" } },
            { name: "token", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
            { name: "tls", secret: { secretName: "web-tls" } },
          ],
        }),
      },
      {
        name: "Deployment with a volume without a source (defaulted to emptyDir)",
        resource: asDeployment("api", {
          containers: [container("api")],
          volumes: [{ name: "tmp" }, { name: "config", configMap: { name: "api" } }],
        }),
      },
      {
        name: "DaemonSet whose volume sets an allowed source and nulls a forbidden one",
        resource: asDaemonSet("agent", {
          containers: [container("agent")],
          volumes: [{ name: "state", hostPath: null, emptyDir: {} }],
        }),
      },
      {
        name: "Pod whose volume sets image and nfs: PSA allows it (API validation refuses two sources)",
        resource: asPod("two-sources", {
          containers: [container("app")],
          volumes: [
            {
              name: "models",
              image: { reference: "registry.example.com/todo/models:1" },
              nfs: { server: "nfs.example.com", path: "/models" },
            },
          ],
        }),
      },
      fromYaml("cases/restrict-volume-types/pass-statefulset-claims.yaml"),
    ],
    fail: [
      {
        name: "Pod with a hostPath volume",
        resource: asPod("ci-runner", {
          containers: [container("runner")],
          volumes: [{ name: "docker-sock", hostPath: { path: "/var/run/docker.sock" } }],
        }),
        rules: ["volumeType"],
      },
      {
        name: "Deployment mounting an NFS share directly",
        resource: asDeployment("api", {
          containers: [container("api")],
          volumes: [
            { name: "tmp", emptyDir: {} },
            { name: "shared", nfs: { server: "nfs.example.com", path: "/exports/api" } },
          ],
        }),
        rules: ["volumeType"],
      },
      {
        name: "CronJob cloning a git repository into a gitRepo volume",
        resource: asCronJob("sync", {
          containers: [container("sync")],
          volumes: [{ name: "repo", gitRepo: { repository: "https://example.com/todo.git" } }],
        }),
        rules: ["volumeType"],
      },
      {
        name: "StatefulSet with an in-tree cloud disk (awsElasticBlockStore)",
        resource: asStatefulSet("db", {
          containers: [container("db")],
          volumes: [{ name: "data", awsElasticBlockStore: { volumeID: "vol-0abc" } }],
        }),
        rules: ["volumeType"],
      },
      {
        name: "Pod with an empty photonPersistentDisk object (still that volume type)",
        resource: asPod("legacy", {
          containers: [container("app")],
          volumes: [{ name: "disk", photonPersistentDisk: {} }],
        }),
        rules: ["volumeType"],
      },
      fromYaml("cases/restrict-volume-types/fail-deployment-flex-volume.yaml", {
        rules: ["volumeType"],
      }),
    ],
  },
});
