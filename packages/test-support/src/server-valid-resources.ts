/**
 * Generated resources a real API server accepts: Pods and every pod controller with mutated
 * security fields (security contexts, host namespaces and ports, volumes, images, probes,
 * sysctls, AppArmor annotations and fields, resources, env), RBAC objects, Services, Ingresses
 * and NetworkPolicies — each field drawn from values the server's own validation allows, so
 * that what reaches admission is judged (an object validation refuses proves nothing about a
 * policy). For the ValidatingAdmissionPolicy differential against kube-apiserver. Some
 * combinations are still refused by validation (counted by the test, never compared).
 */
import type { JsonObject } from "@charter/ir";
import fc from "fast-check";

/** The namespaces the objects go into: labelled untrusted or not, `default` and `kube-system`. */
export const DIFFERENTIAL_NAMESPACES: readonly { name: string; labels: Record<string, string> }[] =
  [
    { name: "default", labels: {} },
    { name: "team-a", labels: { team: "a" } },
    { name: "tenants", labels: { "charter.dev/untrusted": "true" } },
    { name: "sandbox", labels: { "charter.dev/untrusted": "false" } },
    { name: "monitoring", labels: {} },
    { name: "ci", labels: {} },
    { name: "legacy", labels: {} },
    // A system namespace: every target leaves it alone, and charter check skips it.
    { name: "kube-system", labels: {} },
  ];

/** RuntimeClasses the RuntimeClass admission plugin must find for `runtimeClassName`. */
export const DIFFERENTIAL_RUNTIME_CLASSES: readonly string[] = ["gvisor", "kata", "runc"];

/** `arb`'s value one time in `rarity + 1`, otherwise undefined (the field left out). */
const maybe = <T>(arb: fc.Arbitrary<T>, rarity = 1): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: rarity, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

/** Drops undefined fields (fast-check's `nil`), so the object is what a manifest would hold. */
function compact(value: Record<string, unknown>): JsonObject {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== undefined) out[key] = field;
  return out as JsonObject;
}

const image = fc.constantFrom(
  "registry.example.com/app:1.2.3",
  "registry.example.com/app:latest",
  "registry.example.com/app",
  "registry.example.com/legacy/tool:latest",
  `registry.example.com/app@sha256:${"a".repeat(64)}`,
  "docker.io/library/nginx:1.27",
  "nginx",
  "quay.io/org/app:v2",
  `ghcr.io/org/app:1.0@sha256:${"b".repeat(64)}`,
  "localhost:5000/app:dev",
);

const seccompProfile = fc.oneof(
  fc.constantFrom({ type: "RuntimeDefault" }, { type: "Unconfined" }),
  fc.constant({ type: "Localhost", localhostProfile: "profiles/audit.json" }),
);

const appArmorProfile = fc.oneof(
  fc.constantFrom({ type: "RuntimeDefault" }, { type: "Unconfined" }),
  fc.constant({ type: "Localhost", localhostProfile: "k8s-apparmor-example" }),
);

const capabilityName = fc.constantFrom(
  "NET_ADMIN",
  "SYS_ADMIN",
  "NET_BIND_SERVICE",
  "CHOWN",
  "KILL",
  "ALL",
  "NET_RAW",
  "SETUID",
);

const seLinuxOptions = fc
  .record({
    type: maybe(fc.constantFrom("container_t", "container_init_t", "spc_t", "unconfined_t")),
    user: maybe(fc.constantFrom("system_u", "unconfined_u"), 4),
    role: maybe(fc.constantFrom("system_r", "object_r"), 4),
    level: maybe(fc.constantFrom("s0:c123,c456", "s0"), 2),
  })
  .map(compact);

const containerSecurityContext = fc
  .record({
    privileged: maybe(fc.boolean()),
    allowPrivilegeEscalation: maybe(fc.boolean()),
    readOnlyRootFilesystem: maybe(fc.boolean()),
    runAsNonRoot: maybe(fc.boolean()),
    runAsUser: maybe(fc.constantFrom(0, 1000, 65534)),
    capabilities: maybe(
      fc
        .record({
          add: maybe(fc.uniqueArray(capabilityName, { minLength: 1, maxLength: 3 })),
          drop: maybe(fc.constantFrom(["ALL"], ["NET_RAW"], ["ALL", "NET_RAW"])),
        })
        .map(compact),
    ),
    seccompProfile: maybe(seccompProfile),
    appArmorProfile: maybe(appArmorProfile, 2),
    seLinuxOptions: maybe(seLinuxOptions, 3),
    procMount: maybe(fc.constantFrom("Default", "Unmasked"), 3),
  })
  .map(compact);

const probe = fc.oneof(
  fc.constant({ exec: { command: ["true"] } }),
  fc.record({
    httpGet: fc
      .record({
        port: fc.constant(8080),
        host: maybe(fc.constantFrom("10.0.0.1", "127.0.0.1", "example.com")).map((h) => h),
      })
      .map(compact),
  }),
  fc.record({
    tcpSocket: fc
      .record({ port: fc.constant(8080), host: maybe(fc.constantFrom("10.0.0.1", "localhost")) })
      .map(compact),
  }),
);

const env = fc.uniqueArray(
  fc.oneof(
    fc.record({
      name: fc.constantFrom("DB_PASSWORD", "API_TOKEN", "LOG_LEVEL", "secret_key", "MODE"),
      value: fc.constantFrom("hunter2", "", "debug"),
    }),
    fc.record({
      name: fc.constantFrom("DB_PASSWORD", "FROM_SECRET"),
      valueFrom: fc.constant({ secretKeyRef: { name: "db", key: "password" } }),
    }),
  ),
  { maxLength: 3, selector: (e) => e.name },
);

const resources = fc
  .record({
    requests: maybe(
      fc
        .record({ cpu: maybe(fc.constant("100m")), memory: maybe(fc.constant("64Mi")) })
        .map(compact),
    ),
    limits: maybe(
      fc
        .record({ cpu: maybe(fc.constant("500m")), memory: maybe(fc.constant("128Mi")) })
        .map(compact),
    ),
  })
  .map(compact);

interface ContainerOptions {
  /** No ports, probes or resources (an ephemeral container). */
  readonly ephemeral?: boolean;
  /** No probes (an init container without restartPolicy Always). */
  readonly init?: boolean;
}

/** One container; ports and probes only where the server allows them (not ephemeral). */
function container(name: string, options: ContainerOptions = {}): fc.Arbitrary<JsonObject> {
  return fc
    .record({
      image,
      imagePullPolicy: maybe(fc.constantFrom("Always", "IfNotPresent", "Never")),
      securityContext: maybe(containerSecurityContext, 3),
      env: maybe(env),
      resources: options.ephemeral ? fc.constant(undefined) : maybe(resources, 3),
      ports: options.ephemeral
        ? fc.constant(undefined)
        : maybe(
            fc.record({
              containerPort: fc.constantFrom(80, 8080, 9090),
              hostPort: maybe(fc.constantFrom(0, 80, 8080, 30080)),
            }),
          ),
      livenessProbe: options.ephemeral || options.init ? fc.constant(undefined) : maybe(probe, 2),
      readinessProbe: options.ephemeral || options.init ? fc.constant(undefined) : maybe(probe, 3),
    })
    .map(({ ports, ...fields }) =>
      compact({ name, ...fields, ports: ports ? [compact(ports)] : undefined }),
    );
}

const volume = fc.oneof(
  fc.constant({ emptyDir: {} }),
  fc.constant({ configMap: { name: "settings" } }),
  fc.constant({ secret: { secretName: "db" } }),
  fc.record({
    hostPath: fc
      .record({
        path: fc.constantFrom("/var/log", "/", "/etc"),
        type: maybe(fc.constantFrom("Directory", "")),
      })
      .map(compact),
  }),
  fc.constant({ nfs: { server: "nfs.example.com", path: "/exports" } }),
  fc.constant({ persistentVolumeClaim: { claimName: "data" } }),
  fc.constant({ csi: { driver: "csi.example.com" } }),
  fc.constant({
    downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] },
  }),
);

const sysctl = fc.constantFrom(
  { name: "kernel.shm_rmid_forced", value: "1" },
  { name: "net.ipv4.ip_local_port_range", value: "1024 65535" },
  { name: "net.ipv4.tcp_syncookies", value: "1" },
  { name: "kernel.msgmax", value: "65536" },
  { name: "net.core.somaxconn", value: "1024" },
);

const podSecurityContext = fc
  .record({
    runAsNonRoot: maybe(fc.boolean()),
    runAsUser: maybe(fc.constantFrom(0, 1000)),
    seccompProfile: maybe(seccompProfile),
    appArmorProfile: maybe(appArmorProfile, 2),
    seLinuxOptions: maybe(seLinuxOptions, 3),
    sysctls: maybe(
      fc.uniqueArray(sysctl, { minLength: 1, maxLength: 2, selector: (s) => s.name }),
      2,
    ),
  })
  .map(compact);

const APPARMOR = "container.apparmor.security.beta.kubernetes.io/";

/**
 * A pod's metadata and spec, valid for the server: `hostPort` equals `containerPort` under
 * `hostNetwork`; `procMount: Unmasked` only with `hostUsers: false`; host process containers
 * only with `hostNetwork` on every container; AppArmor annotations agree with the fields.
 */
export const podTemplate: fc.Arbitrary<{ metadata: JsonObject; spec: JsonObject }> = fc
  .record({
    containers: fc
      .array(fc.nat(), { minLength: 1, maxLength: 2 })
      .chain((list) => fc.tuple(...list.map((_, i) => container(`app-${i}`)))),
    initContainers: maybe(fc.tuple(container("init-0", { init: true })), 3),
    hostNetwork: maybe(fc.boolean(), 2),
    hostPID: maybe(fc.boolean(), 3),
    hostIPC: maybe(fc.boolean(), 3),
    hostUsers: maybe(fc.constant(false), 4),
    hostProcess: maybe(fc.constant(true), 8),
    securityContext: maybe(podSecurityContext),
    volumes: maybe(fc.array(volume, { minLength: 1, maxLength: 2 }), 2),
    automountServiceAccountToken: maybe(fc.boolean()),
    runtimeClassName: maybe(fc.constantFrom("gvisor", "kata", "runc"), 2),
    annotation: maybe(
      fc.constantFrom("runtime/default", "unconfined", "localhost/k8s-apparmor-example"),
      4,
    ),
    labels: fc.record({
      app: fc.constant("web"),
      needsApi: maybe(fc.constant("true"), 4),
      partOf: maybe(fc.constant("reports"), 4),
      tier: maybe(fc.constantFrom("batch", "web"), 2),
    }),
  })
  .map((draft) => {
    const hostNetwork = draft.hostProcess === true ? true : draft.hostNetwork;
    // Under hostNetwork each container port is also a host port: no two may be equal.
    let nextHostPort = 10_000;
    const fixContainer = (c: JsonObject): JsonObject => {
      const out: Record<string, unknown> = { ...c };
      const ports = c.ports as JsonObject[] | undefined;
      if (ports && hostNetwork === true) {
        out.ports = ports.map((port) => {
          const containerPort = nextHostPort++;
          return port.hostPort === undefined
            ? { ...port, containerPort }
            : { ...port, containerPort, hostPort: containerPort };
        });
      }
      const securityContext = { ...((c.securityContext as JsonObject | undefined) ?? {}) };
      if (securityContext.procMount === "Unmasked" && draft.hostUsers !== false) {
        delete securityContext.procMount;
      }
      if (draft.hostProcess === true) {
        securityContext.windowsOptions = { hostProcess: true };
        delete securityContext.seLinuxOptions;
        delete securityContext.seccompProfile;
        delete securityContext.appArmorProfile;
        delete securityContext.procMount;
        delete securityContext.capabilities;
        delete securityContext.privileged;
        delete securityContext.allowPrivilegeEscalation;
        delete securityContext.readOnlyRootFilesystem;
        delete securityContext.runAsUser;
      }
      if (Object.keys(securityContext).length > 0) out.securityContext = securityContext;
      else delete out.securityContext;
      return out as JsonObject;
    };
    const containers = draft.containers.map(fixContainer);
    const annotations: Record<string, string> = {};
    if (draft.annotation !== undefined) {
      // The field, where a container sets one, must agree with the annotation: use the
      // annotation only on containers without the field.
      for (const c of containers) {
        if ((c.securityContext as JsonObject | undefined)?.appArmorProfile === undefined) {
          annotations[`${APPARMOR}${c.name}`] = draft.annotation;
        }
      }
    }
    let podSecurity = draft.securityContext;
    if (draft.hostProcess === true) {
      podSecurity = {
        windowsOptions: { hostProcess: true },
        ...(draft.securityContext?.runAsNonRoot === undefined
          ? {}
          : { runAsNonRoot: draft.securityContext.runAsNonRoot }),
      };
    }
    const labels = compact({
      app: draft.labels.app,
      "charter.dev/needs-api": draft.labels.needsApi,
      "app.kubernetes.io/part-of": draft.labels.partOf,
      tier: draft.labels.tier,
    });
    return {
      metadata: compact({
        labels,
        annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
      }),
      spec: compact({
        containers,
        initContainers: draft.initContainers?.map(fixContainer),
        hostNetwork,
        hostPID: draft.hostProcess === true ? undefined : draft.hostPID,
        hostIPC: draft.hostProcess === true ? undefined : draft.hostIPC,
        hostUsers: draft.hostProcess === true ? undefined : draft.hostUsers,
        securityContext: podSecurity,
        volumes: draft.volumes?.map((v, i) => ({ name: `vol-${i}`, ...v })),
        automountServiceAccountToken: draft.automountServiceAccountToken,
        runtimeClassName: draft.runtimeClassName,
      }),
    };
  });

/** An ephemeral container as `kubectl debug` adds it (no ports, probes or resources). */
export const ephemeralContainer: fc.Arbitrary<JsonObject> = container("debugger", {
  ephemeral: true,
});

type Maker = (template: { metadata: JsonObject; spec: JsonObject }) => JsonObject;

const withRestart = (spec: JsonObject, restartPolicy: string): JsonObject => ({
  ...spec,
  restartPolicy,
});

const selectorTemplate = (t: { metadata: JsonObject; spec: JsonObject }, restart = "Always") => ({
  selector: { matchLabels: { app: "web" } },
  template: { metadata: t.metadata, spec: withRestart(t.spec, restart) },
});

const POD_KINDS: Readonly<Record<string, Maker>> = {
  Pod: (t) => ({ apiVersion: "v1", kind: "Pod", metadata: t.metadata, spec: t.spec }),
  Deployment: (t) => ({ apiVersion: "apps/v1", kind: "Deployment", spec: selectorTemplate(t) }),
  ReplicaSet: (t) => ({ apiVersion: "apps/v1", kind: "ReplicaSet", spec: selectorTemplate(t) }),
  StatefulSet: (t) => ({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    spec: { ...selectorTemplate(t), serviceName: "web" },
  }),
  DaemonSet: (t) => ({ apiVersion: "apps/v1", kind: "DaemonSet", spec: selectorTemplate(t) }),
  ReplicationController: (t) => ({
    apiVersion: "v1",
    kind: "ReplicationController",
    spec: { selector: { app: "web" }, template: { metadata: t.metadata, spec: t.spec } },
  }),
  Job: (t) => ({
    apiVersion: "batch/v1",
    kind: "Job",
    spec: { template: { metadata: t.metadata, spec: withRestart(t.spec, "Never") } },
  }),
  CronJob: (t) => ({
    apiVersion: "batch/v1",
    kind: "CronJob",
    spec: {
      schedule: "*/5 * * * *",
      jobTemplate: {
        spec: { template: { metadata: t.metadata, spec: withRestart(t.spec, "OnFailure") } },
      },
    },
  }),
};

const podWorkload = fc
  .tuple(fc.constantFrom(...Object.keys(POD_KINDS)), podTemplate)
  .map(([kind, template]) => (POD_KINDS[kind] as Maker)(template));

const verbs = fc.uniqueArray(
  fc.constantFrom("get", "list", "watch", "create", "*", "escalate", "bind", "impersonate"),
  { minLength: 1, maxLength: 3 },
);
const rbacResources = fc.uniqueArray(
  fc.constantFrom("pods", "secrets", "*", "*/scale", "deployments", "configmaps"),
  { minLength: 1, maxLength: 2 },
);
const rules = fc.array(
  fc.record({ apiGroups: fc.constantFrom([""], ["apps"], ["*"]), resources: rbacResources, verbs }),
  { minLength: 1, maxLength: 2 },
);
const subject = fc.oneof(
  fc.record({
    kind: fc.constantFrom("User", "Group"),
    name: fc.constantFrom(
      "system:anonymous",
      "system:unauthenticated",
      "alice",
      "system:masters",
      "devs",
    ),
    apiGroup: fc.constant("rbac.authorization.k8s.io"),
  }),
  fc.record({
    kind: fc.constant("ServiceAccount"),
    name: fc.constantFrom("default", "deployer"),
    namespace: fc.constantFrom("team-a", "kube-system"),
  }),
);
const roleRef = fc.record({
  apiGroup: fc.constant("rbac.authorization.k8s.io"),
  kind: fc.constant("ClusterRole"),
  name: fc.constantFrom("cluster-admin", "view", "edit"),
});

const rbac = fc.oneof(
  rules.map((r) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", rules: r })),
  fc.tuple(rules, fc.constantFrom("reader", "system:reader", "admin")).map(([r]) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    rules: r,
  })),
  fc.tuple(roleRef, fc.array(subject, { minLength: 1, maxLength: 2 })).map(([ref, subjects]) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    roleRef: ref,
    subjects,
  })),
  fc.tuple(roleRef, fc.array(subject, { minLength: 1, maxLength: 2 })).map(([ref, subjects]) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    roleRef: ref,
    subjects,
  })),
);

const service = fc.oneof(
  fc
    .record({
      type: maybe(fc.constantFrom("ClusterIP", "NodePort", "LoadBalancer")),
      externalIPs: maybe(fc.constant(["203.0.113.10"]), 2),
    })
    .map((spec) => ({
      apiVersion: "v1",
      kind: "Service",
      spec: compact({ ...spec, selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] }),
    })),
  fc.constant({
    apiVersion: "v1",
    kind: "Service",
    spec: { type: "ExternalName", externalName: "db.example.com" },
  }),
);

const configMap = fc
  .record({
    managedBy: maybe(fc.constant("helm")),
    tier: maybe(fc.constantFrom("cache", "web"), 2),
    team: maybe(fc.constant("shop"), 2),
    keys: fc.nat({ max: 3 }),
  })
  .map(({ managedBy, tier, team, keys }) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      labels: compact({ "app.kubernetes.io/managed-by": managedBy, tier, team }),
    },
    data: Object.fromEntries(Array.from({ length: keys }, (_, i) => [`key-${i}`, "value"])),
  }));

const ingress = fc.boolean().map((tls) => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  spec: compact({
    tls: tls ? [{ hosts: ["shop.example.com"], secretName: "shop-tls" }] : undefined,
    rules: [
      {
        host: "shop.example.com",
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: "web", port: { number: 80 } } },
            },
          ],
        },
      },
    ],
  }),
}));

const peer = fc.oneof(
  fc.constant({ ipBlock: { cidr: "0.0.0.0/0" } }),
  fc.constant({ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }),
  fc.constant({ ipBlock: { cidr: "10.0.0.0/8" } }),
  fc.constant({ podSelector: { matchLabels: { app: "web" } } }),
  fc.constant({ namespaceSelector: {} }),
);
const networkPolicy = fc
  .record({
    policyTypes: maybe(fc.constantFrom(["Ingress"], ["Egress"], ["Ingress", "Egress"])),
    ingress: maybe(
      fc.array(
        fc
          .record({
            from: maybe(fc.array(peer, { maxLength: 2 })),
            ports: maybe(fc.constant([{ port: 80 }]), 2),
          })
          .map(compact),
        { maxLength: 2 },
      ),
    ),
  })
  .map((spec) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    spec: compact({ podSelector: {}, ...spec }),
  }));

const peerAuthentication = fc
  .record({
    mtls: maybe(fc.record({ mode: fc.constantFrom("STRICT", "PERMISSIVE", "DISABLE") })),
    portLevelMtls: maybe(fc.constant({ "8080": { mode: "DISABLE" } }), 2),
  })
  .map((spec) => ({
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    spec: compact(spec),
  }));

/** One object without metadata (the test names and places it). */
export const serverValidResource: fc.Arbitrary<JsonObject> = fc.oneof(
  { weight: 10, arbitrary: podWorkload },
  { weight: 2, arbitrary: rbac },
  { weight: 1, arbitrary: service },
  { weight: 1, arbitrary: ingress },
  { weight: 1, arbitrary: networkPolicy },
  { weight: 1, arbitrary: peerAuthentication },
  { weight: 2, arbitrary: configMap },
) as fc.Arbitrary<JsonObject>;
