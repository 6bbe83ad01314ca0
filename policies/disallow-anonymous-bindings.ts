/**
 * No RoleBinding or ClusterRoleBinding grants anything to unauthenticated requests: a subject
 * of kind User or Group named `system:anonymous` (the anonymous user) or
 * `system:unauthenticated` (the group every anonymous request is in). Bindings whose name the
 * parameter `allowedBindings` lists are exempt; the default lists Kubernetes' own
 * `system:public-info-viewer` (version and health endpoints only).
 */
import { fromYaml, kinds, list, policy, string, when } from "@charter/dsl";
import { clusterRoleBinding, group, roleBinding, serviceAccount, user } from "./support/rbac.js";

const ANONYMOUS = ["system:anonymous", "system:unauthenticated"];

export default policy("disallow-anonymous-bindings", {
  title: "Nothing is granted to anonymous users",
  description:
    "With anonymous authentication on (the API server's default), every request without " +
    "credentials is the user `system:anonymous` in the group `system:unauthenticated`. A " +
    "binding to either grants its role to the whole network. Fails a RoleBinding or " +
    "ClusterRoleBinding with such a User or Group subject, except bindings named in the " +
    "parameter `allowedBindings` (by default Kubernetes' own `system:public-info-viewer`; " +
    "kubeadm clusters also have the RoleBinding `kubeadm:bootstrap-signer-clusterinfo`).",
  severity: "critical",
  category: "RBAC",
  controls: ["nsa:auth:authentication", "nsa:auth:rbac", "area:rbac"],
  match: kinds(
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
    "rbac.authorization.k8s.io/v1/RoleBinding",
  ),
  params: {
    allowedBindings: list(string())
      .default(["system:public-info-viewer"])
      .describe("names of bindings that may name anonymous subjects"),
  },
  rules: {
    anonymousSubject: {
      fail: when`not (object.metadata.name in params.allowedBindings)
        and any s in object.subjects: s.kind in ["User", "Group"] and s.name in ${ANONYMOUS}`,
      message:
        '{{object.kind}} {{object.metadata.name}} grants {{object.roleRef.name}} to {{s.kind}} "{{s.name}}" ' +
        "(subjects[]), so to anyone without credentials; remove that subject, or use the " +
        "group system:authenticated if every signed-in user needs it",
      remediation:
        "Remove the `system:anonymous` or `system:unauthenticated` subject. Bind the role to " +
        "the users, groups or service accounts that need it (or `system:authenticated`).",
    },
  },
  cases: {
    pass: [
      {
        name: "Kubernetes' own public-info-viewer binding (exempt by default)",
        resource: clusterRoleBinding("system:public-info-viewer", "system:public-info-viewer", [
          group("system:authenticated"),
          group("system:unauthenticated"),
        ]),
      },
      {
        name: "a binding to all authenticated users",
        resource: clusterRoleBinding("docs-readers", "docs-reader", [
          group("system:authenticated"),
        ]),
      },
      {
        name: "a service account whose name looks anonymous",
        resource: roleBinding("odd-sa", "viewer", [serviceAccount("system:anonymous", "shop")]),
      },
    ],
    fail: [
      fromYaml("cases/disallow-anonymous-bindings/fail-anonymous-cluster-admin.yaml", {
        rules: ["anonymousSubject"],
      }),
      {
        name: "a RoleBinding to the unauthenticated group",
        resource: roleBinding("public-reader", "reader", [group("system:unauthenticated")]),
        rules: ["anonymousSubject"],
      },
      {
        name: "the anonymous user after a named one",
        resource: clusterRoleBinding("metrics", "metrics-reader", [
          user("prometheus"),
          user("system:anonymous"),
        ]),
        rules: ["anonymousSubject"],
      },
    ],
  },
});
