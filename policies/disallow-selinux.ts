/**
 * The Pod Security Standards baseline `seLinuxOptions` check, exactly as Pod Security Admission
 * v1.37 runs it (`policy/check_seLinuxOptions.go`): on the pod and on every container, init
 * container and ephemeral container, a set `seLinuxOptions` fails when its `type` is outside
 * the allowed list (an unset type is Go's "", which is allowed) or when `user` or `role` is a
 * non-empty string. `level` is free. `container_engine_t` is allowed since 1.31.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import {
  asCronJob,
  asDaemonSet,
  asDeployment,
  asJob,
  asPod,
  asStatefulSet,
  container,
} from "./support/workloads.js";

const ALLOWED_TYPES = [
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
];

const ALLOWED_TYPES_TEXT = "container_t, container_init_t, container_kvm_t or container_engine_t";

export default policy("disallow-selinux", {
  title: "SELinux options stay within the container types",
  description:
    "SELinux confines a container by its type; a custom type, user or role can lift that " +
    "confinement. Pod Security Standards baseline allows `seLinuxOptions.type` only to be " +
    `unset or one of ${ALLOWED_TYPES_TEXT}, and forbids setting \`user\` or \`role\`, on ` +
    "the pod and on every container, init container and ephemeral container.",
  severity: "high",
  category: "Pod Security Standards (Baseline)",
  controls: [
    "pss:baseline:seLinuxOptions",
    "nsa:pod-security:security-modules",
    "area:pod-security",
    "area:escape-prevention",
  ],
  match: pod,
  rules: {
    podType: {
      fail: when`not ((pod.spec.securityContext.seLinuxOptions.type ?? "") in ${ALLOWED_TYPES})`,
      message:
        'the pod sets spec.securityContext.seLinuxOptions.type "{{pod.spec.securityContext.seLinuxOptions.type}}"; ' +
        `remove it or use ${ALLOWED_TYPES_TEXT}`,
      remediation: `Remove \`spec.securityContext.seLinuxOptions.type\` or set it to ${ALLOWED_TYPES_TEXT}.`,
    },
    podUserOrRole: {
      fail: when`
        pod.spec.securityContext.seLinuxOptions.user != ""
        or pod.spec.securityContext.seLinuxOptions.role != ""`,
      message:
        "the pod sets spec.securityContext.seLinuxOptions.user or .role; remove both (only " +
        "type and level may be set)",
      remediation:
        "Remove `user` and `role` from `spec.securityContext.seLinuxOptions`; the runtime " +
        "assigns them.",
    },
    containerType: {
      fail: when`
        any c in pod.containers:
          not ((c.securityContext.seLinuxOptions.type ?? "") in ${ALLOWED_TYPES})`,
      message:
        'container {{c.name}} sets securityContext.seLinuxOptions.type "{{c.securityContext.seLinuxOptions.type}}"; ' +
        `remove it or use ${ALLOWED_TYPES_TEXT}`,
      remediation: `Remove the container's \`securityContext.seLinuxOptions.type\` or set it to ${ALLOWED_TYPES_TEXT}.`,
    },
    containerUserOrRole: {
      fail: when`
        any c in pod.containers:
          c.securityContext.seLinuxOptions.user != ""
          or c.securityContext.seLinuxOptions.role != ""`,
      message:
        "container {{c.name}} sets securityContext.seLinuxOptions.user or .role; remove both " +
        "(only type and level may be set)",
      remediation:
        "Remove `user` and `role` from the container's `securityContext.seLinuxOptions`; the " +
        "runtime assigns them.",
    },
  },
  cases: {
    pass: [
      {
        name: "Pod without any SELinux options",
        resource: asPod("plain", { containers: [container("app")] }),
      },
      {
        name: "Deployment using every allowed type, a level and empty user and role",
        resource: asDeployment("api", {
          securityContext: { seLinuxOptions: { type: "container_t", level: "s0:c123,c456" } },
          initContainers: [container("setup", { seLinuxOptions: { type: "container_init_t" } })],
          containers: [
            container("api", { seLinuxOptions: { type: "container_kvm_t", user: "", role: "" } }),
            container("dind", { seLinuxOptions: { type: "container_engine_t" } }),
          ],
        }),
      },
      {
        name: "StatefulSet whose SELinux options set only the level (type unset is allowed)",
        resource: asStatefulSet("postgres", {
          containers: [container("postgres", { seLinuxOptions: { level: "s0:c1,c2" } })],
        }),
      },
      fromYaml("cases/disallow-selinux/pass-job-empty-type.yaml"),
    ],
    fail: [
      {
        name: "Pod with a custom pod-level SELinux type",
        resource: asPod("legacy", {
          securityContext: { seLinuxOptions: { type: "spc_t" } },
          containers: [container("app")],
        }),
        rules: ["podType"],
      },
      {
        name: "Deployment with a pod-level SELinux user and role",
        resource: asDeployment("api", {
          securityContext: { seLinuxOptions: { user: "system_u", role: "system_r" } },
          containers: [container("api")],
        }),
        rules: ["podUserOrRole"],
      },
      {
        name: "Pod with an ephemeral container running as unconfined_t",
        resource: asPod("api-7d9f", {
          containers: [container("api")],
          ephemeralContainers: [
            container("debugger", { seLinuxOptions: { type: "unconfined_t" } }),
          ],
        }),
        rules: ["containerType"],
      },
      {
        name: "DaemonSet whose init container sets only an SELinux role",
        resource: asDaemonSet("agent", {
          initContainers: [container("setup", { seLinuxOptions: { role: "sysadm_r" } })],
          containers: [container("agent", { seLinuxOptions: { type: "container_t" } })],
        }),
        rules: ["containerUserOrRole"],
      },
      {
        name: "CronJob whose container type differs only in case from an allowed one",
        resource: asCronJob("report", {
          containers: [container("report", { seLinuxOptions: { type: "Container_t" } })],
        }),
        rules: ["containerType"],
      },
      {
        name: "Job breaking both the type and the user in one container",
        resource: asJob("migrate", {
          containers: [
            container("migrate", { seLinuxOptions: { type: "spc_t", user: "unconfined_u" } }),
          ],
        }),
        rules: ["containerType", "containerUserOrRole"],
      },
      fromYaml("cases/disallow-selinux/fail-statefulset-init-container-type.yaml", {
        rules: ["containerType"],
      }),
    ],
  },
});
