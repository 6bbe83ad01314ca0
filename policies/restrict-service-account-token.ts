/**
 * Pods do not get a service-account token unless they say they need the Kubernetes API.
 * Decisions:
 * - the pod itself must set `spec.automountServiceAccountToken: false`. Kubernetes also reads
 *   the field from the ServiceAccount, but that is another object (and the pod's own value
 *   wins), so a pod that leaves it unset is refused: whether it gets a token is not decided by
 *   the manifest under review;
 * - a pod that needs the API carries the label named by the parameter `label` (default
 *   `charter.dev/needs-api`); its key is enough. The IR's paths are fixed at compile time and
 *   cannot look a label up by a parameter's value, so the label's value is not read; write
 *   `"true"` by convention. For a controller, the label goes on its pod template, where the
 *   pods get it.
 */
import { fromYaml, pod, policy, string, when } from "@charter/dsl";
import type { JsonObject } from "@charter/ir";
import { asDeployment, asJob, asPod, asReplicaSet, container } from "./support/workloads.js";

const NO_TOKEN = { automountServiceAccountToken: false };

/** A controller whose pod template carries `labels` besides its selector label. */
function withTemplateLabels(resource: JsonObject, labels: JsonObject): JsonObject {
  const spec = resource.spec as JsonObject;
  const template = spec.template as JsonObject;
  const metadata = template.metadata as JsonObject;
  const merged = { ...(metadata.labels as JsonObject), ...labels };
  return {
    ...resource,
    spec: { ...spec, template: { ...template, metadata: { ...metadata, labels: merged } } },
  };
}

export default policy("restrict-service-account-token", {
  title: "Pods mount a service-account token only when they need the Kubernetes API",
  description:
    "Kubernetes mounts a token for the pod's service account into every container unless told " +
    "not to; anyone who compromises the container can then call the API server with the " +
    "account's rights. A pod must set `automountServiceAccountToken: false`, unless it " +
    "carries the label named by the parameter `label` (default `charter.dev/needs-api`) to " +
    "say that it calls the API. Only the pod's own field counts: the ServiceAccount's is not " +
    "in the manifest under review.",
  severity: "medium",
  category: "RBAC and service accounts",
  controls: ["cis:5.1.6", "nsa:pod-security:sa-tokens", "area:rbac"],
  match: pod,
  params: {
    label: string()
      .default("charter.dev/needs-api")
      .describe("The pod label whose presence says the pod needs a service-account token."),
  },
  rules: {
    automountToken: {
      fail: when`
        not (pod.spec.automountServiceAccountToken == false)
        and not (params.label in pod.metadata.labels)`,
      message:
        "the pod does not set spec.automountServiceAccountToken: false, so its containers get " +
        "a service-account token; set it to false, or label the pod {{params.label}} if it " +
        "calls the Kubernetes API",
      remediation:
        "Set `automountServiceAccountToken: false` in the pod spec (a controller's pod " +
        "template). If the workload calls the Kubernetes API, give its pods the label named " +
        'by the policy\'s `label` parameter (`charter.dev/needs-api: "true"` by default) and ' +
        "bind its service account to a least-privilege Role.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/restrict-service-account-token/pass-deployment-operator-label.yaml"),
      {
        name: "Pod that turns the token off",
        resource: asPod("api-7d9f", { ...NO_TOKEN, containers: [container("api")] }),
      },
      {
        name: "Job that turns the token off",
        resource: asJob("migrate", { ...NO_TOKEN, containers: [container("migrate")] }),
      },
      {
        name: "Pod labelled as needing the API, with the token on",
        resource: {
          ...asPod("kubectl-runner", {
            automountServiceAccountToken: true,
            containers: [container("kubectl")],
          }),
          metadata: {
            name: "kubectl-runner",
            namespace: "ops",
            labels: { "charter.dev/needs-api": "true" },
          },
        },
      },
    ],
    fail: [
      fromYaml("cases/restrict-service-account-token/fail-replicaset-label-on-controller.yaml", {
        rules: ["automountToken"],
      }),
      {
        name: "Pod that leaves the field unset",
        resource: asPod("plain", { containers: [container("app")] }),
        rules: ["automountToken"],
      },
      {
        name: "Deployment that turns the token on explicitly",
        resource: asDeployment("web", {
          automountServiceAccountToken: true,
          containers: [container("web")],
        }),
        rules: ["automountToken"],
      },
      {
        name: "ReplicaSet whose pods carry a different label",
        resource: withTemplateLabels(
          asReplicaSet("worker", { containers: [container("worker")] }),
          { "charter.dev/needs-network": "true" },
        ),
        rules: ["automountToken"],
      },
    ],
  },
});
