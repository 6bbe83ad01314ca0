/**
 * Writes N workloads with randomly mutated security fields, the input the Pod Security
 * Standards policies work hardest on: Pods and every pod controller (Deployment, ReplicaSet,
 * ReplicationController, StatefulSet, DaemonSet, Job, CronJob), each field of the baseline and
 * restricted profiles set to a passing value, a failing one or left out — privileged,
 * allowPrivilegeEscalation, runAsNonRoot and runAsUser, capabilities added and dropped, seccomp
 * and AppArmor profiles, SELinux options, procMount, sysctls, host namespaces and ports,
 * volume types — with images from several registries (some `:latest`, some by digest) in a
 * dozen namespaces, each with its Namespace object (some labelled for Pod Security Admission).
 *
 * The stream is the same for the same seed (a small xorshift generator, not Math.random), so a
 * benchmark run compares engines on identical documents.
 *
 *   node bench/generate-pss.mjs <count> <folder> [seed]
 */
import { fileURLToPath } from "node:url";
import { writeDocuments } from "./generate.mjs";

const CONTROLLERS = [
  "Pod",
  "Deployment",
  "ReplicaSet",
  "ReplicationController",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
];
const NAMESPACES = Array.from({ length: 12 }, (_, i) => `team-${i}`);
const REGISTRIES = [
  "registry.example.com/",
  "docker.io/library/",
  "ghcr.io/acme/",
  "quay.io/ops/",
  "",
];
const IMAGES = ["nginx", "redis", "postgres", "api", "worker", "busybox"];
const CAPABILITIES = [
  "NET_BIND_SERVICE",
  "NET_ADMIN",
  "SYS_ADMIN",
  "CHOWN",
  "KILL",
  "ALL",
  "SYS_TIME",
];
const SECCOMP = ["RuntimeDefault", "Localhost", "Unconfined"];
const VOLUMES = [
  "emptyDir",
  "configMap",
  "secret",
  "hostPath",
  "projected",
  "persistentVolumeClaim",
  "nfs",
];
const SYSCTLS = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_unprivileged_port_start",
  "kernel.msgmax",
  "net.core.somaxconn",
];

/** xorshift32: the same stream for the same seed. */
function generator(seed) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  /** A field that passes, fails, or is left out (undefined). */
  const tri = (passing, failing, pFail = 0.15, pAbsent = 0.35) => {
    const roll = next();
    return roll < pFail ? failing : roll < pFail + pAbsent ? undefined : passing;
  };
  return { next, pick, chance, tri };
}

/** Drops the keys whose value is undefined, so "left out" really is left out. */
function defined(object) {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

function securityContext(r) {
  const add = r.chance(0.2) ? [r.pick(CAPABILITIES)] : undefined;
  const drop = r.chance(0.6) ? ["ALL"] : r.chance(0.2) ? [r.pick(CAPABILITIES)] : undefined;
  const capabilities = add || drop ? defined({ add, drop }) : undefined;
  const context = defined({
    privileged: r.tri(false, true, 0.08),
    allowPrivilegeEscalation: r.tri(false, true),
    runAsNonRoot: r.tri(true, false),
    runAsUser: r.tri(1000 + Math.floor(r.next() * 1000), 0, 0.1),
    readOnlyRootFilesystem: r.tri(true, false),
    capabilities,
    seccompProfile: r.chance(0.5)
      ? defined({
          type: r.pick(SECCOMP),
          localhostProfile: r.chance(0.3) ? "profiles/audit.json" : undefined,
        })
      : undefined,
    procMount: r.chance(0.05) ? "Unmasked" : r.chance(0.1) ? "Default" : undefined,
    seLinuxOptions: r.chance(0.1)
      ? defined({
          type: r.pick(["container_t", "spc_t"]),
          user: r.chance(0.3) ? "root" : undefined,
        })
      : undefined,
    appArmorProfile: r.chance(0.1)
      ? { type: r.pick(["RuntimeDefault", "Unconfined", "Localhost"]) }
      : undefined,
  });
  return Object.keys(context).length > 0 || r.chance(0.5) ? context : undefined;
}

function image(r, index) {
  const name = `${r.pick(REGISTRIES)}${r.pick(IMAGES)}`;
  const roll = r.next();
  if (roll < 0.15) return `${name}:latest`;
  if (roll < 0.3) return `${name}@sha256:${index.toString(16).padStart(64, "0")}`;
  if (roll < 0.35) return name;
  return `${name}:1.${index % 40}.${index % 7}`;
}

function container(r, name, index) {
  return defined({
    name,
    image: image(r, index),
    imagePullPolicy: r.chance(0.3) ? r.pick(["Always", "IfNotPresent"]) : undefined,
    ports: r.chance(0.5)
      ? [defined({ containerPort: 8080, hostPort: r.chance(0.1) ? 8080 : undefined })]
      : undefined,
    securityContext: securityContext(r),
    resources: r.chance(0.6)
      ? defined({
          requests: { cpu: "100m", memory: "128Mi" },
          limits: r.chance(0.7) ? { cpu: "500m", memory: "256Mi" } : undefined,
        })
      : undefined,
    env: r.chance(0.2) ? [{ name: "DB_PASSWORD", value: "hunter2" }] : undefined,
  });
}

function volume(r, i) {
  const type = r.pick(VOLUMES);
  const name = `v${i}`;
  switch (type) {
    case "hostPath":
      return { name, hostPath: { path: r.pick(["/var/log", "/etc", "/"]) } };
    case "configMap":
      return { name, configMap: { name: "config" } };
    case "secret":
      return { name, secret: { secretName: "creds" } };
    case "projected":
      return { name, projected: { sources: [{ serviceAccountToken: { path: "token" } }] } };
    case "persistentVolumeClaim":
      return { name, persistentVolumeClaim: { claimName: "data" } };
    case "nfs":
      return { name, nfs: { server: "nfs.example.com", path: "/exports" } };
    default:
      return { name, emptyDir: {} };
  }
}

function podSpec(r, index) {
  const containers = Array.from({ length: 1 + Math.floor(r.next() * 3) }, (_, i) =>
    container(r, `c${i}`, index + i),
  );
  return defined({
    hostNetwork: r.chance(0.05) ? true : undefined,
    hostPID: r.chance(0.04) ? true : undefined,
    hostIPC: r.chance(0.03) ? true : undefined,
    automountServiceAccountToken: r.tri(false, true, 0.3, 0.4),
    securityContext: r.chance(0.6)
      ? defined({
          runAsNonRoot: r.tri(true, false),
          runAsUser: r.tri(1000, 0, 0.1),
          seccompProfile: r.chance(0.5) ? { type: r.pick(SECCOMP) } : undefined,
          sysctls: r.chance(0.1) ? [{ name: r.pick(SYSCTLS), value: "1" }] : undefined,
          fsGroup: r.chance(0.4) ? 2000 : undefined,
        })
      : undefined,
    initContainers: r.chance(0.2) ? [container(r, "init", index)] : undefined,
    containers,
    volumes: r.chance(0.6)
      ? Array.from({ length: 1 + Math.floor(r.next() * 3) }, (_, i) => volume(r, i))
      : undefined,
    runtimeClassName: r.chance(0.1) ? r.pick(["gvisor", "kata", "runc"]) : undefined,
  });
}

const API_VERSIONS = {
  Pod: "v1",
  ReplicationController: "v1",
  Deployment: "apps/v1",
  ReplicaSet: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
};

/** The document at `index`: the Namespaces first, then workloads. */
export function workload(index, seed = 1) {
  const r = generator(seed * 2_654_435_761 + index);
  // Warm the generator: consecutive seeds start close together.
  for (let i = 0; i < 4; i++) r.next();
  // The first documents of the stream: one Namespace per namespace.
  if (index < NAMESPACES.length) {
    const labels = r.chance(0.5)
      ? { "pod-security.kubernetes.io/enforce": r.pick(["baseline", "restricted", "privileged"]) }
      : undefined;
    return {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: defined({ name: NAMESPACES[index], labels }),
    };
  }
  const kind = r.pick(CONTROLLERS);
  const name = `w${index}`;
  const labels = { app: name };
  const metadata = { name, namespace: r.pick(NAMESPACES), labels };
  const template = { metadata: { labels }, spec: podSpec(r, index) };
  const base = { apiVersion: API_VERSIONS[kind], kind, metadata };
  switch (kind) {
    case "Pod":
      return { ...base, spec: template.spec };
    case "CronJob":
      return {
        ...base,
        spec: {
          schedule: "*/5 * * * *",
          jobTemplate: {
            spec: { template: { ...template, spec: { ...template.spec, restartPolicy: "Never" } } },
          },
        },
      };
    case "Job":
      return {
        ...base,
        spec: { template: { ...template, spec: { ...template.spec, restartPolicy: "Never" } } },
      };
    case "ReplicationController":
      return { ...base, spec: { replicas: 2, selector: labels, template } };
    case "DaemonSet":
      return { ...base, spec: { selector: { matchLabels: labels }, template } };
    case "StatefulSet":
      return {
        ...base,
        spec: { serviceName: name, replicas: 2, selector: { matchLabels: labels }, template },
      };
    default:
      return { ...base, spec: { replicas: 2, selector: { matchLabels: labels }, template } };
  }
}

/** Writes `count` workloads (after the Namespaces) to `<folder>/resources.yaml` and `.json`. */
export function generatePss(count, folder, { json = true, seed = 1 } = {}) {
  return writeDocuments(count, (index) => workload(index, seed), folder, { json });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [count, folder, seed] = process.argv.slice(2);
  if (!count || !folder) {
    console.error("usage: node bench/generate-pss.mjs <count> <folder> [seed]");
    process.exit(2);
  }
  generatePss(Number(count), folder, { seed: Number(seed ?? 1) });
  console.log(`${count} documents in ${folder}`);
}
