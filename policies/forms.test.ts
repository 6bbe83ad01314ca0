/**
 * Every rule of every policy in the library has a fluent-builder form here whose IR equals the
 * policy's own rule condition; where a template form is shown too, it gives the same IR. The
 * builder forms are written from the policies' meaning, independently of the policies' own
 * constants and helpers, so a change to a policy's condition must be made here as well. A rule
 * of the index missing here fails the test, so new policies must show their builder form too.
 */
import type { Cond } from "@charter/dsl";
import { and, any, exists, lit, none, not, or, params, pod, when } from "@charter/dsl";
import { describe, expect, it } from "vitest";
import policies from "./index.js";

/** A rule's builder form, and its template form where the library shows one. */
interface Forms {
  readonly builder: Cond;
  readonly template?: Cond;
}

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

const FORMS: Record<string, Record<string, Forms>> = {
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

describe("every rule has a builder form giving the policy's IR", () => {
  it("every rule of every policy in the index has a form here, and no other", () => {
    const rules = policies.flatMap((p) => p.rules.map((r) => `${p.name}/${r.name}`)).sort();
    const covered = Object.entries(FORMS)
      .flatMap(([policy, forms]) => Object.keys(forms).map((rule) => `${policy}/${rule}`))
      .sort();
    expect(covered).toEqual(rules);
  });

  for (const policy of policies) {
    for (const rule of policy.rules) {
      it(`${policy.name}/${rule.name}`, () => {
        const forms = FORMS[policy.name]?.[rule.name];
        if (!forms) throw new Error("a builder form is needed");
        expect(forms.builder.toIR()).toEqual(rule.condition);
        if (forms.template) expect(forms.template.toIR()).toEqual(forms.builder.toIR());
      });
    }
  }
});
