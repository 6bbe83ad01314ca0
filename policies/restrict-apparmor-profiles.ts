/**
 * The Pod Security Standards baseline `appArmorProfile` check, exactly as Pod Security Admission
 * v1.37 runs it (`policy/check_appArmorProfile.go`): an `appArmorProfile` set on the pod or on
 * any container, init container or ephemeral container fails unless its `type` is
 * `RuntimeDefault` or `Localhost` (a set profile without a type fails too, as Go's "" is not
 * valid); and every pod annotation under `container.apparmor.security.beta.kubernetes.io/`
 * fails unless its value is "", `runtime/default` or starts with `localhost/` — whether or not
 * a container has the annotated name. The annotation's key is known only at run time, so the
 * rule ranges over the annotations' keys and reads each value with `annotations[k]`.
 */

import { fromYaml, pod, policy, when } from "@charter/dsl";
import type { JsonObject } from "@charter/ir";
import { asCronJob, asDaemonSet, asDeployment, asPod, container } from "./support/workloads.js";

const VALID_TYPES = ["RuntimeDefault", "Localhost"];
const ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

/** A Pod, or a controller's pod template (a CronJob's through its job template), annotated. */
function annotated(resource: JsonObject, annotations: JsonObject): JsonObject {
  if (resource.kind === "Pod") {
    return { ...resource, metadata: { ...(resource.metadata as JsonObject), annotations } };
  }
  const spec = resource.spec as JsonObject;
  if (resource.kind === "CronJob") {
    const jobTemplate = spec.jobTemplate as JsonObject;
    const job = annotated({ spec: jobTemplate.spec as JsonObject }, annotations);
    return {
      ...resource,
      spec: { ...spec, jobTemplate: { ...jobTemplate, spec: job.spec as JsonObject } },
    };
  }
  const template = spec.template as JsonObject;
  const metadata = { ...(template.metadata as JsonObject), annotations };
  return { ...resource, spec: { ...spec, template: { ...template, metadata } } };
}

export default policy("restrict-apparmor-profiles", {
  title: "AppArmor is never turned off",
  description:
    "AppArmor confines what a container may do on its node. Pod Security Standards baseline " +
    "forbids turning it off or replacing it: an `appArmorProfile` on the pod or on any " +
    "container, init container or ephemeral container must have type `RuntimeDefault` or " +
    "`Localhost`, and a deprecated `container.apparmor.security.beta.kubernetes.io/*` " +
    'annotation may only be "", `runtime/default` or `localhost/<profile>`. Leaving it unset ' +
    "is allowed.",
  severity: "high",
  category: "Pod Security Standards (Baseline)",
  controls: [
    "pss:baseline:appArmorProfile",
    "nsa:pod-security:security-modules",
    "area:pod-security",
    "area:escape-prevention",
  ],
  match: pod,
  rules: {
    podProfile: {
      fail: when`
        exists(pod.spec.securityContext.appArmorProfile)
        and not (pod.spec.securityContext.appArmorProfile.type in ${VALID_TYPES})`,
      message:
        'the pod sets spec.securityContext.appArmorProfile.type "{{pod.spec.securityContext.appArmorProfile.type ?? ""}}"; ' +
        "set it to RuntimeDefault (or Localhost with a localhostProfile)",
      remediation:
        "Set `spec.securityContext.appArmorProfile.type: RuntimeDefault`, or `Localhost` with " +
        "`localhostProfile` naming a profile loaded on the nodes.",
    },
    containerProfile: {
      fail: when`
        any c in pod.containers:
          exists(c.securityContext.appArmorProfile)
          and not (c.securityContext.appArmorProfile.type in ${VALID_TYPES})`,
      message:
        'container {{c.name}} sets securityContext.appArmorProfile.type "{{c.securityContext.appArmorProfile.type ?? ""}}"; ' +
        "set it to RuntimeDefault (or Localhost with a localhostProfile), or remove it to " +
        "inherit the pod's",
      remediation:
        "Set the container's `securityContext.appArmorProfile.type` to `RuntimeDefault` or " +
        "`Localhost`, or remove it so the container inherits the pod's profile.",
    },
    annotation: {
      fail: when`
        any k in keys(pod.metadata.annotations):
          k startsWith ${ANNOTATION_PREFIX}
          and pod.metadata.annotations[k] != ""
          and pod.metadata.annotations[k] != "runtime/default"
          and not (pod.metadata.annotations[k] startsWith "localhost/")`,
      message:
        'the pod annotation {{k}} is "{{pod.metadata.annotations[k]}}"; remove it and set ' +
        "securityContext.appArmorProfile.type to RuntimeDefault (or use runtime/default or " +
        "localhost/<profile>)",
      remediation:
        "Remove the deprecated `container.apparmor.security.beta.kubernetes.io/*` annotation " +
        "and set `securityContext.appArmorProfile` instead (`type: RuntimeDefault`, or " +
        "`Localhost` with `localhostProfile`); until then use `runtime/default` or " +
        "`localhost/<profile>` as its value.",
    },
  },
  cases: {
    pass: [
      {
        name: "Pod without any AppArmor profile or annotation",
        resource: asPod("plain", { containers: [container("app")] }),
      },
      {
        name: "Deployment with a RuntimeDefault pod profile and a Localhost container profile",
        resource: asDeployment("api", {
          securityContext: { appArmorProfile: { type: "RuntimeDefault" } },
          containers: [
            container("api", {
              appArmorProfile: { type: "Localhost", localhostProfile: "k8s-api" },
            }),
          ],
        }),
      },
      {
        name: "Pod whose AppArmor annotations are empty, runtime/default and localhost/…, beside others",
        resource: annotated(asPod("api-7d9f", { containers: [container("api")] }), {
          [`${ANNOTATION_PREFIX}api`]: "runtime/default",
          [`${ANNOTATION_PREFIX}sidecar`]: "localhost/k8s-sidecar",
          [`${ANNOTATION_PREFIX}old`]: "",
          "example.com/apparmor": "unconfined",
        }),
      },
      {
        name: "DaemonSet with an annotation that only resembles the AppArmor prefix",
        resource: annotated(asDaemonSet("agent", { containers: [container("agent")] }), {
          "container.apparmor.security.beta.kubernetes.io": "unconfined",
          "apparmor.security.beta.kubernetes.io/agent": "unconfined",
        }),
      },
    ],
    fail: [
      {
        name: "Pod with an Unconfined pod-level AppArmor profile",
        resource: asPod("legacy", {
          securityContext: { appArmorProfile: { type: "Unconfined" } },
          containers: [container("app")],
        }),
        rules: ["podProfile"],
      },
      {
        name: "Pod with an ephemeral container whose AppArmor profile has no type",
        resource: asPod("api-7d9f", {
          containers: [container("api")],
          ephemeralContainers: [container("debugger", { appArmorProfile: {} })],
        }),
        rules: ["containerProfile"],
      },
      {
        name: "Pod annotated unconfined for a container it does not have",
        resource: annotated(asPod("web", { containers: [container("web")] }), {
          [`${ANNOTATION_PREFIX}ghost`]: "unconfined",
        }),
        rules: ["annotation"],
      },
      {
        name: "CronJob annotated with a bare profile name and a container set to Unconfined",
        resource: annotated(
          asCronJob("report", {
            containers: [container("report", { appArmorProfile: { type: "Unconfined" } })],
          }),
          { [`${ANNOTATION_PREFIX}report`]: "k8s-report" },
        ),
        rules: ["containerProfile", "annotation"],
      },
      fromYaml(
        "cases/restrict-apparmor-profiles/fail-deployment-template-annotation-unconfined.yaml",
        {
          rules: ["annotation"],
        },
      ),
    ],
  },
});
