/**
 * Roles and ClusterRoles name their verbs and resources. A wildcard resource is `*` (every
 * resource) or `*` then `/<subresource>` (that subresource of every resource), the two forms
 * RBAC expands; `pods/` then `*` is not a wildcard to RBAC (it matches only a subresource
 * literally named `*`), so it is not flagged. Wildcard `apiGroups` and `nonResourceURLs` are left to review.
 */
import { fromYaml, kinds, policy, when } from "@charter/dsl";
import { clusterRole, grant, role } from "./support/rbac.js";

export default policy("restrict-rbac-wildcards", {
  title: "Roles do not grant wildcard verbs or resources",
  description:
    "A wildcard grants today's verbs and resources and every one added later, including " +
    "escalation paths nobody reviewed. Fails a Role or ClusterRole with `*` in a rule's " +
    "`verbs`, or `*` (or `*/<subresource>`) in its `resources`.",
  severity: "high",
  category: "RBAC",
  controls: ["cis:5.1.3", "nsa:auth:rbac", "area:rbac"],
  match: kinds("rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/ClusterRole"),
  rules: {
    wildcardVerbs: {
      fail: when`any r in object.rules: "*" in r.verbs`,
      message:
        '{{object.kind}} {{object.metadata.name}} grants verb "*" (rules[].verbs); list the ' +
        "verbs the subject needs, such as get, list and watch",
      remediation:
        "Replace `*` in `verbs` with the verbs needed (get, list, watch, create, update, " +
        "patch, delete, deletecollection).",
    },
    wildcardResources: {
      fail: when`any r in object.rules: any s in r.resources: s == "*" or s startsWith "*/"`,
      message:
        '{{object.kind}} {{object.metadata.name}} grants resource "{{s}}" (rules[].resources), ' +
        "every resource of its API groups; list the resources the subject needs",
      remediation:
        "Replace the wildcard in `resources` with the resources (and subresources, such as " +
        "`deployments/scale`) the subject needs.",
    },
  },
  cases: {
    pass: [
      {
        name: "Role reading pods and their logs",
        resource: role("pod-reader", [grant([""], ["pods", "pods/log"], ["get", "list", "watch"])]),
      },
      {
        name: "ClusterRole scaling deployments",
        resource: clusterRole("scaler", [
          grant(["apps"], ["deployments", "deployments/scale"], ["get", "patch", "update"]),
        ]),
      },
      {
        name: "Role with pods/* (a literal subresource, not a wildcard) and no rules elsewhere",
        resource: role("odd", [grant([""], ["pods/*"], ["get"])]),
      },
      {
        name: "ClusterRole without rules (aggregated)",
        resource: {
          ...clusterRole("monitoring", []),
          aggregationRule: {
            clusterRoleSelectors: [
              { matchLabels: { "rbac.example.com/aggregate-to-monitoring": "true" } },
            ],
          },
        },
      },
    ],
    fail: [
      fromYaml("cases/restrict-rbac-wildcards/fail-cluster-role-star.yaml", {
        rules: ["wildcardVerbs", "wildcardResources"],
      }),
      {
        name: "Role with every verb on configmaps",
        resource: role("cm-admin", [grant([""], ["configmaps"], ["*"])]),
        rules: ["wildcardVerbs"],
      },
      {
        name: "ClusterRole reading every resource of apps, second rule",
        resource: clusterRole("apps-reader", [
          grant([""], ["pods"], ["get"]),
          grant(["apps"], ["*"], ["get", "list"]),
        ]),
        rules: ["wildcardResources"],
      },
      {
        name: "ClusterRole patching the scale subresource of everything",
        resource: clusterRole("autoscaler", [grant(["*"], ["*/scale"], ["get", "update"])]),
        rules: ["wildcardResources"],
      },
    ],
  },
});
