/**
 * `cluster-admin` is bound only to the subjects the parameter lists. A subject is allowed when
 * an entry of `allowedSubjects` has its `kind` and `name` and the same `namespace` (absent and
 * "" are the same, as for User and Group subjects). A RoleBinding to the ClusterRole
 * `cluster-admin` counts too: it makes the subject an administrator of the whole namespace.
 * The default allows `Group system:masters`, which Kubernetes' own `cluster-admin`
 * ClusterRoleBinding names.
 */
import { fromYaml, kinds, list, object, policy, string, when } from "@charter/dsl";
import { clusterRoleBinding, group, roleBinding, serviceAccount, user } from "./support/rbac.js";

export default policy("restrict-cluster-admin-bindings", {
  title: "cluster-admin is bound only to approved subjects",
  description:
    "`cluster-admin` can do anything to anything. Fails a ClusterRoleBinding or RoleBinding " +
    "whose `roleRef` is the ClusterRole `cluster-admin` and that names a subject not listed in " +
    "the parameter `allowedSubjects` (kind, name and, for service accounts, namespace; by " +
    "default only the group `system:masters`, as Kubernetes binds it itself).",
  severity: "critical",
  category: "RBAC",
  controls: ["cis:5.1.1", "nsa:auth:rbac", "area:rbac"],
  match: kinds(
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
    "rbac.authorization.k8s.io/v1/RoleBinding",
  ),
  params: {
    allowedSubjects: list(
      object({
        kind: string().describe("User, Group or ServiceAccount"),
        name: string(),
        namespace: string().default("").describe("the service account's namespace"),
      }),
    )
      .default([{ kind: "Group", name: "system:masters", namespace: "" }])
      .describe("the subjects that may be bound to cluster-admin"),
  },
  rules: {
    clusterAdmin: {
      fail: when`object.roleRef.kind == "ClusterRole" and object.roleRef.name == "cluster-admin"
        and any s in object.subjects:
          not any a in params.allowedSubjects:
            a.kind == s.kind and a.name == s.name and (a.namespace ?? "") == (s.namespace ?? "")`,
      message:
        "{{object.kind}} {{object.metadata.name}} binds cluster-admin (roleRef.name) to {{s.kind}} " +
        '"{{s.name}}", which is not an approved subject; bind a narrower role, or add the ' +
        "subject to the allowedSubjects parameter",
      remediation:
        "Bind a role granting only what the subject needs (the built-in `admin`, `edit` or " +
        "`view`, or your own), in a RoleBinding where possible. If the subject really needs " +
        "cluster-admin, list it in the policy's `allowedSubjects` parameter.",
    },
  },
  cases: {
    pass: [
      {
        name: "Kubernetes' own cluster-admin binding to system:masters",
        resource: clusterRoleBinding("cluster-admin", "cluster-admin", [group("system:masters")]),
      },
      {
        name: "a team bound to edit in its namespace",
        resource: roleBinding("shop-editors", "edit", [group("shop-devs")], "ClusterRole"),
      },
      {
        name: "a Role that happens to be named cluster-admin",
        resource: roleBinding("local-admin", "cluster-admin", [user("alice@example.com")], "Role"),
      },
      {
        name: "a ClusterRoleBinding of view to a service account",
        resource: clusterRoleBinding("dashboard-view", "view", [
          serviceAccount("dashboard", "monitoring"),
        ]),
      },
    ],
    fail: [
      fromYaml("cases/restrict-cluster-admin-bindings/fail-ci-service-account.yaml", {
        rules: ["clusterAdmin"],
      }),
      {
        name: "a user bound to cluster-admin",
        resource: clusterRoleBinding("alice-admin", "cluster-admin", [user("alice@example.com")]),
        rules: ["clusterAdmin"],
      },
      {
        name: "system:masters allowed, but a second subject is not",
        resource: clusterRoleBinding("admins", "cluster-admin", [
          group("system:masters"),
          group("developers"),
        ]),
        rules: ["clusterAdmin"],
      },
      {
        name: "a RoleBinding of the cluster-admin ClusterRole in one namespace",
        resource: roleBinding(
          "ns-admin",
          "cluster-admin",
          [serviceAccount("deployer", "shop")],
          "ClusterRole",
        ),
        rules: ["clusterAdmin"],
      },
    ],
  },
});
