/**
 * No workload in the `default` namespace. Decisions:
 * - the namespace read is the resource's own (`object.metadata.namespace`): a controller's,
 *   which its pods inherit; a pod template's own metadata has none;
 * - a manifest without `metadata.namespace` counts as being in `default`: that is where
 *   `kubectl apply` puts it unless the context says otherwise, and where Kyverno's CLI judges
 *   it (a separate "no namespace" rule disagreed with `kyverno apply`, which is how this was
 *   found). At admission the API server has already filled the namespace in from the request.
 */
import { fromYaml, pod, policy, when } from "@charter/dsl";
import type { JsonObject } from "@charter/ir";
import {
  asCronJob,
  asDaemonSet,
  asDeployment,
  asPod,
  asStatefulSet,
  container,
} from "./support/workloads.js";

/** `resource` in `namespace`, or with no namespace at all when it is undefined. */
function inNamespace(resource: JsonObject, namespace: string | undefined): JsonObject {
  const { namespace: _dropped, ...metadata } = resource.metadata as JsonObject;
  return {
    ...resource,
    metadata: namespace === undefined ? metadata : { ...metadata, namespace },
  };
}

/** A CronJob whose pod template's metadata names `namespace` (which Kubernetes ignores). */
function templateInNamespace(cronJob: JsonObject, namespace: string): JsonObject {
  const spec = cronJob.spec as JsonObject;
  const jobSpec = (spec.jobTemplate as JsonObject).spec as JsonObject;
  const template = jobSpec.template as JsonObject;
  const metadata = { ...(template.metadata as JsonObject), namespace };
  const jobTemplate = { spec: { ...jobSpec, template: { ...template, metadata } } };
  return { ...cronJob, spec: { ...spec, jobTemplate } };
}

const app = { containers: [container("app")] };

export default policy("disallow-default-namespace", {
  title: "Workloads do not run in the default namespace",
  description:
    "The `default` namespace is where everything lands by accident: it shares one set of " +
    "RBAC bindings, quotas and network policies with every forgotten object. Pods and pod " +
    "controllers must name their own namespace in `metadata.namespace`, and it must not be " +
    "`default`. A manifest that names no namespace is refused as well: applied with kubectl " +
    "it would land in the current context's namespace, usually `default`.",
  severity: "medium",
  category: "Multi-tenancy",
  controls: ["cis:5.6.4", "nsa:network:namespaces", "area:network"],
  match: pod,
  rules: {
    defaultNamespace: {
      fail: when`(object.metadata.namespace ?? "default") == "default"`,
      message:
        "{{object.kind}} {{object.metadata.name}} runs in the default namespace (it names " +
        "default, or no namespace at all); set metadata.namespace to the application's own " +
        "namespace",
      remediation:
        "Create a namespace for the application (with its own RBAC, quotas and network " +
        "policies) and set `metadata.namespace` to it in the manifest, so the namespace does " +
        "not depend on the kubectl context of whoever applies it.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/disallow-default-namespace/pass-cronjob-own-namespace.yaml"),
      { name: "Pod in its app's namespace", resource: inNamespace(asPod("api", app), "todo") },
      {
        name: "Deployment in a namespace named like default",
        resource: inNamespace(asDeployment("web", app), "default-web"),
      },
      {
        name: "DaemonSet in kube-system (only default is refused)",
        resource: inNamespace(asDaemonSet("node-agent", app), "kube-system"),
      },
    ],
    fail: [
      fromYaml("cases/disallow-default-namespace/fail-pod-no-namespace.yaml", {
        rules: ["defaultNamespace"],
      }),
      {
        name: "Pod in default",
        resource: asPod("api", app),
        rules: ["defaultNamespace"],
      },
      {
        name: "StatefulSet in default",
        resource: asStatefulSet("db", app),
        rules: ["defaultNamespace"],
      },
      {
        name: "CronJob with no namespace of its own (its template's does not count)",
        resource: templateInNamespace(inNamespace(asCronJob("report", app), undefined), "todo"),
        rules: ["defaultNamespace"],
      },
    ],
  },
});
