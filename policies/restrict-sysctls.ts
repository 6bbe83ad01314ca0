/**
 * The Pod Security Standards baseline `sysctls` check, exactly as Pod Security Admission v1.37
 * runs it (`policy/check_sysctls.go`): every `spec.securityContext.sysctls[].name` must be in
 * the safe list of v1.37, compared exactly (a missing name is Go's "", which is not in it).
 * The list grew in 1.27, 1.29, 1.32 and 1.37; this is the 1.37 one.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import {
  asDaemonSet,
  asDeployment,
  asJob,
  asPod,
  asStatefulSet,
  container,
} from "./support/workloads.js";

/** Namespaced sysctls that cannot affect other pods or the node, by the version adding them. */
const SAFE_SYSCTLS = [
  // 1.0
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_unprivileged_port_start",
  // 1.27
  "net.ipv4.ip_local_reserved_ports",
  // 1.29
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  // 1.32
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
  // 1.37
  "net.ipv4.tcp_slow_start_after_idle",
  "net.ipv4.tcp_notsent_lowat",
];

export default policy("restrict-sysctls", {
  title: "Pods set only safe sysctls",
  description:
    "A sysctl that is not namespaced, or not isolated between pods, changes the kernel for " +
    "everything on the node. Pod Security Standards baseline (v1.37) allows only these names " +
    `in \`spec.securityContext.sysctls\`: ${SAFE_SYSCTLS.join(", ")}.`,
  severity: "high",
  category: "Pod Security Standards (Baseline)",
  controls: ["pss:baseline:sysctls", "area:pod-security", "area:escape-prevention"],
  match: pod,
  rules: {
    sysctls: {
      fail: when`any s in pod.spec.securityContext.sysctls: not (s.name in ${SAFE_SYSCTLS})`,
      message:
        'the pod sets sysctl "{{s.name ?? ""}}" (spec.securityContext.sysctls), which is not in ' +
        "the safe list; remove it, or use a safe sysctl such as net.ipv4.ip_local_port_range",
      remediation:
        "Remove the sysctl from `spec.securityContext.sysctls`. If the node must be tuned, set " +
        "it on the node (kubelet `--allowed-unsafe-sysctls` with a dedicated, tainted node " +
        "pool) rather than from the pod.",
    },
  },
  cases: {
    pass: [
      {
        name: "Pod without sysctls",
        resource: asPod("plain", { containers: [container("app")] }),
      },
      {
        name: "Deployment using sysctls of the 1.0, 1.29 and 1.32 safe lists",
        resource: asDeployment("api", {
          securityContext: {
            sysctls: [
              { name: "net.ipv4.ip_local_port_range", value: "1024 65535" },
              { name: "net.ipv4.tcp_keepalive_time", value: "600" },
              { name: "net.ipv4.tcp_rmem", value: "4096 87380 6291456" },
            ],
          },
          containers: [container("api")],
        }),
      },
      {
        name: "Pod with an empty sysctls list",
        resource: asPod("empty", {
          securityContext: { sysctls: [] },
          containers: [container("app")],
        }),
      },
      fromYaml("cases/restrict-sysctls/pass-statefulset-v1-37-sysctls.yaml"),
    ],
    fail: [
      {
        name: "Pod setting a node-wide sysctl",
        resource: asPod("tuned", {
          securityContext: { sysctls: [{ name: "net.core.somaxconn", value: "4096" }] },
          containers: [container("app")],
        }),
        rules: ["sysctls"],
      },
      {
        name: "DaemonSet mixing a safe sysctl with an unsafe one",
        resource: asDaemonSet("router", {
          securityContext: {
            sysctls: [
              { name: "net.ipv4.tcp_syncookies", value: "1" },
              { name: "net.ipv4.ip_forward", value: "1" },
            ],
          },
          containers: [container("router")],
        }),
        rules: ["sysctls"],
      },
      {
        name: "Job spelling a safe sysctl with slashes (names compare exactly)",
        resource: asJob("migrate", {
          securityContext: { sysctls: [{ name: "net/ipv4/tcp_syncookies", value: "1" }] },
          containers: [container("migrate")],
        }),
        rules: ["sysctls"],
      },
      {
        name: "StatefulSet setting a sysctl under a safe one's prefix",
        resource: asStatefulSet("db", {
          securityContext: { sysctls: [{ name: "kernel.shm_rmid_forced_extra", value: "1" }] },
          containers: [container("db")],
        }),
        rules: ["sysctls"],
      },
      fromYaml("cases/restrict-sysctls/fail-pod-kernel-sysctl.yaml", { rules: ["sysctls"] }),
    ],
  },
});
