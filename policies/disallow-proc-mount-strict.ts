/**
 * The Pod Security Standards restricted `procMount_restricted` check (Pod Security Admission
 * 1.35+, `policy/check_procMount.go`): like the baseline `procMount` check, but **without** the
 * user-namespace relaxation, so `hostUsers: false` exempts nothing. At restricted level it
 * replaces `disallow-proc-mount` (its `OverrideCheckIDs`).
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import { asDeployment, asJob, asPod, asStatefulSet, container } from "./support/workloads.js";

export default policy("disallow-proc-mount-strict", {
  title: "Containers keep the default masked /proc, even in a user namespace",
  description:
    "The restricted profile's /proc mount check: every container, init container and " +
    "ephemeral container must leave `securityContext.procMount` unset or `Default`, whether " +
    "or not the pod runs in its own user namespace (`hostUsers: false` exempts nothing here, " +
    "unlike the baseline check it replaces).",
  severity: "high",
  category: "Pod Security Standards (Restricted)",
  controls: ["pss:restricted:procMount_restricted", "area:pod-security", "area:escape-prevention"],
  match: pod,
  rules: {
    procMount: {
      fail: when`any c in pod.containers: c.securityContext.procMount != "Default"`,
      message:
        "container {{c.name}} sets securityContext.procMount: {{c.securityContext.procMount}}; " +
        "remove it or set it to Default (the restricted profile allows no other value, even " +
        "with hostUsers: false)",
      remediation:
        "Remove `securityContext.procMount` (it defaults to `Default`) or set it to `Default`.",
    },
  },
  cases: {
    pass: [
      {
        name: "Pod that never sets procMount",
        resource: asPod("plain", { containers: [container("app")] }),
      },
      {
        name: "Deployment in a user namespace whose containers set procMount: Default",
        resource: asDeployment("api", {
          hostUsers: false,
          initContainers: [container("migrate", { procMount: "Default" })],
          containers: [container("api", { procMount: "Default" })],
        }),
      },
      {
        name: "Job with a null securityContext",
        resource: asJob("migrate", { containers: [container("migrate", null)] }),
      },
      fromYaml("cases/disallow-proc-mount-strict/pass-pod-user-namespace-default.yaml"),
    ],
    fail: [
      {
        name: "Pod in its own user namespace with an unmasked /proc (no relaxation here)",
        resource: asPod("nested-builder", {
          hostUsers: false,
          containers: [container("buildkit", { procMount: "Unmasked" })],
        }),
        rules: ["procMount"],
      },
      {
        name: "Pod with an unmasked ephemeral container",
        resource: asPod("api-7d9f", {
          containers: [container("api")],
          ephemeralContainers: [container("debugger", { procMount: "Unmasked" })],
        }),
        rules: ["procMount"],
      },
      {
        name: "StatefulSet whose init container unmasks /proc",
        resource: asStatefulSet("db", {
          initContainers: [container("setup", { procMount: "Unmasked" })],
          containers: [container("db")],
        }),
        rules: ["procMount"],
      },
      fromYaml("cases/disallow-proc-mount-strict/fail-deployment-user-namespace-unmasked.yaml", {
        rules: ["procMount"],
      }),
    ],
  },
});
