/**
 * The builder (and some template) forms of the Pod Security Standards policies and the first
 * library policies; forms.test.ts proves each equals the policy's own condition. Written from
 * the policies' meaning, independently of their constants and helpers.
 */
import type { Cond } from "@charter/dsl";
import { and, any, exists, lit, none, not, or, params, pod, when } from "@charter/dsl";
import type { Forms } from "./types.js";

/** The capabilities a container runtime grants by default (PSS baseline may add them back). */
const DEFAULT_CAPABILITIES = [
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
const SELINUX_TYPES = [
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
];
const SECCOMP_TYPES = ["RuntimeDefault", "Localhost"];
const SAFE_SYSCTLS = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
  "net.ipv4.tcp_slow_start_after_idle",
  "net.ipv4.tcp_notsent_lowat",
];
const ALLOWED_VOLUMES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "image",
  "persistentVolumeClaim",
  "projected",
  "secret",
];
/** The other 21 sources of the Kubernetes VolumeSource type at v1.37. */
const OTHER_VOLUMES = [
  "hostPath",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "gitRepo",
  "nfs",
  "iscsi",
  "glusterfs",
  "rbd",
  "flexVolume",
  "cinder",
  "cephfs",
  "flocker",
  "fc",
  "azureFile",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "portworxVolume",
  "scaleIO",
  "storageos",
];

const notWindows = not(pod.spec.at("os.name").eq("windows"));
const notUserNamespaced = not(pod.spec.at("hostUsers").eq(false));

/** A probe or lifecycle handler (its path from the container) that names a host. */
function handlerSetsHost(path: string): Cond {
  return any("c", pod.containers, (c) =>
    c
      .at(`${path}.httpGet.host`)
      .ne("")
      .or(c.at(`${path}.tcpSocket.host`).ne("")),
  );
}

export const FORMS: Record<string, Record<string, Forms>> = {
  "disallow-privileged-containers": {
    privileged: {
      template: when`any c in pod.containers: c.securityContext.privileged == true`,
      builder: any("c", pod.containers, (c) => c.at("securityContext.privileged").eq(true)),
    },
  },
  "disallow-host-namespaces": {
    hostNetwork: {
      template: when`pod.spec.hostNetwork == true`,
      builder: pod.spec.at("hostNetwork").eq(true),
    },
    hostPID: { template: when`pod.spec.hostPID == true`, builder: pod.spec.at("hostPID").eq(true) },
    hostIPC: { template: when`pod.spec.hostIPC == true`, builder: pod.spec.at("hostIPC").eq(true) },
  },
  "disallow-host-path": {
    hostPath: {
      template: when`any v in pod.spec.volumes: exists(v.hostPath)`,
      builder: any("v", pod.spec.at("volumes"), (v) => exists(v.at("hostPath"))),
    },
  },
  "require-run-as-non-root": {
    podSetsFalse: {
      template: when`not (pod.spec.hostUsers == false) and pod.spec.securityContext.runAsNonRoot == false`,
      builder: not(pod.spec.at("hostUsers").eq(false)).and(
        pod.spec.at("securityContext.runAsNonRoot").eq(false),
      ),
    },
    containerSetsFalse: {
      template: when`not (pod.spec.hostUsers == false) and any c in pod.containers: c.securityContext.runAsNonRoot == false`,
      builder: not(pod.spec.at("hostUsers").eq(false)).and(
        any("c", pod.containers, (c) => c.at("securityContext.runAsNonRoot").eq(false)),
      ),
    },
    containerNotSet: {
      template: when`not (pod.spec.hostUsers == false)
        and not (pod.spec.securityContext.runAsNonRoot == true)
        and any c in pod.containers: not exists(c.securityContext.runAsNonRoot)`,
      builder: not(pod.spec.at("hostUsers").eq(false))
        .and(not(pod.spec.at("securityContext.runAsNonRoot").eq(true)))
        .and(any("c", pod.containers, (c) => not(exists(c.at("securityContext.runAsNonRoot"))))),
    },
  },
  "restrict-image-registries": {
    registry: {
      template: when`any c in pod.containers: not any r in params.allowed: c.image startsWith r`,
      builder: any("c", pod.containers, (c) =>
        none("r", params.at("allowed"), (r) => c.at("image").startsWith(r)),
      ),
    },
  },

  "require-signed-images": {
    registry: {
      template: when`any c in pod.containers: not any r in params.registries: c.image startsWith r`,
      builder: any("c", pod.containers, (c) =>
        none("r", params.at("registries"), (r) => c.at("image").startsWith(r)),
      ),
    },
  },

  // ---- Pod Security Standards, group A ----
  "disallow-capabilities": {
    addedCapability: {
      builder: any("c", pod.containers, (c) =>
        any("added", c.at("securityContext.capabilities.add"), (added) =>
          not(added.in(DEFAULT_CAPABILITIES)),
        ),
      ),
    },
  },
  "disallow-capabilities-strict": {
    dropAll: {
      builder: notWindows.and(
        any("c", pod.containers, (c) =>
          not(lit("ALL").in(c.at("securityContext.capabilities.drop"))),
        ),
      ),
    },
    addOnlyNetBindService: {
      builder: notWindows.and(
        any("c", pod.containers, (c) =>
          any("added", c.at("securityContext.capabilities.add"), (added) =>
            not(added.eq("NET_BIND_SERVICE")),
          ),
        ),
      ),
    },
  },
  "disallow-host-ports": {
    hostPort: {
      builder: any("c", pod.containers, (c) =>
        any("p", c.at("ports"), (p) => p.at("hostPort").ne(0)),
      ),
    },
  },
  "disallow-host-probes": {
    livenessProbe: { builder: handlerSetsHost("livenessProbe") },
    readinessProbe: { builder: handlerSetsHost("readinessProbe") },
    startupProbe: { builder: handlerSetsHost("startupProbe") },
    postStart: { builder: handlerSetsHost("lifecycle.postStart") },
    preStop: { builder: handlerSetsHost("lifecycle.preStop") },
  },
  "disallow-host-process": {
    podHostProcess: {
      builder: pod.spec.at("securityContext.windowsOptions.hostProcess").eq(true),
    },
    containerHostProcess: {
      builder: any("c", pod.containers, (c) =>
        c.at("securityContext.windowsOptions.hostProcess").eq(true),
      ),
    },
  },
  "disallow-privilege-escalation": {
    privilegeEscalation: {
      builder: notWindows.and(
        any("c", pod.containers, (c) =>
          not(c.at("securityContext.allowPrivilegeEscalation").eq(false)),
        ),
      ),
    },
  },
  "require-run-as-non-root-user": {
    podRunsAsRoot: {
      builder: notUserNamespaced.and(pod.spec.at("securityContext.runAsUser").eq(0)),
    },
    containerRunsAsRoot: {
      builder: notUserNamespaced.and(
        any("c", pod.containers, (c) => c.at("securityContext.runAsUser").eq(0)),
      ),
    },
  },

  // ---- Pod Security Standards, group B ----
  "disallow-selinux": {
    podType: {
      builder: not(pod.spec.at("securityContext.seLinuxOptions.type").orElse("").in(SELINUX_TYPES)),
    },
    podUserOrRole: {
      builder: or(
        pod.spec.at("securityContext.seLinuxOptions.user").ne(""),
        pod.spec.at("securityContext.seLinuxOptions.role").ne(""),
      ),
    },
    containerType: {
      builder: any("c", pod.containers, (c) =>
        not(c.at("securityContext.seLinuxOptions.type").orElse("").in(SELINUX_TYPES)),
      ),
    },
    containerUserOrRole: {
      builder: any("c", pod.containers, (c) =>
        or(
          c.at("securityContext.seLinuxOptions.user").ne(""),
          c.at("securityContext.seLinuxOptions.role").ne(""),
        ),
      ),
    },
  },
  "disallow-proc-mount": {
    procMount: {
      builder: notUserNamespaced.and(
        any("c", pod.containers, (c) => c.at("securityContext.procMount").ne("Default")),
      ),
    },
  },
  "disallow-proc-mount-strict": {
    procMount: {
      builder: any("c", pod.containers, (c) => c.at("securityContext.procMount").ne("Default")),
    },
  },
  "restrict-seccomp": {
    podProfile: {
      builder: exists(pod.spec.at("securityContext.seccompProfile")).and(
        not(pod.spec.at("securityContext.seccompProfile.type").in(SECCOMP_TYPES)),
      ),
    },
    containerProfile: {
      builder: any("c", pod.containers, (c) =>
        exists(c.at("securityContext.seccompProfile")).and(
          not(c.at("securityContext.seccompProfile.type").in(SECCOMP_TYPES)),
        ),
      ),
    },
  },
  "restrict-seccomp-strict": {
    podProfile: {
      builder: and(
        notWindows,
        exists(pod.spec.at("securityContext.seccompProfile")),
        not(pod.spec.at("securityContext.seccompProfile.type").in(SECCOMP_TYPES)),
      ),
    },
    containerProfile: {
      builder: notWindows.and(
        any("c", pod.containers, (c) =>
          exists(c.at("securityContext.seccompProfile")).and(
            not(c.at("securityContext.seccompProfile.type").in(SECCOMP_TYPES)),
          ),
        ),
      ),
    },
    containerNotSet: {
      builder: and(
        notWindows,
        not(pod.spec.at("securityContext.seccompProfile.type").in(SECCOMP_TYPES)),
        any("c", pod.containers, (c) => not(exists(c.at("securityContext.seccompProfile")))),
      ),
    },
  },
  "restrict-sysctls": {
    sysctls: {
      builder: any("s", pod.spec.at("securityContext.sysctls"), (s) =>
        not(s.at("name").in(SAFE_SYSCTLS)),
      ),
    },
  },
  "restrict-volume-types": {
    volumeType: {
      builder: any("v", pod.spec.at("volumes"), (v) =>
        not(or(...ALLOWED_VOLUMES.map((key) => exists(v.at(key))))).and(
          or(...OTHER_VOLUMES.map((key) => exists(v.at(key)))),
        ),
      ),
    },
  },
};
