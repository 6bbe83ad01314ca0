/**
 * Roles and ClusterRoles do not grant the verbs that step around RBAC: `escalate` (grant more
 * than you hold, on roles), `bind` (bind roles you do not hold) and `impersonate` (act as
 * another user, group or service account). Verbs compare exactly, as the authorizer does; a
 * `*` verb grants them too, and is reported by restrict-rbac-wildcards.
 */
import { fromYaml, kinds, policy, when } from "@charter/dsl";
import { clusterRole, grant, role } from "./support/rbac.js";

const ESCALATION_VERBS = ["escalate", "bind", "impersonate"];

export default policy("restrict-rbac-escalation-verbs", {
  title: "Roles do not grant escalate, bind or impersonate",
  description:
    "`escalate` lets a subject give a role more than it holds, `bind` lets it bind roles it " +
    "does not hold, and `impersonate` lets it act as anyone: each is a way to become " +
    "cluster-admin. Fails a Role or ClusterRole granting any of them.",
  severity: "critical",
  category: "RBAC",
  controls: ["cis:5.1.8", "nsa:auth:rbac", "area:rbac"],
  match: kinds("rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/ClusterRole"),
  rules: {
    escalationVerbs: {
      fail: when`any r in object.rules: any v in r.verbs: v in ${ESCALATION_VERBS}`,
      message:
        '{{object.kind}} {{object.metadata.name}} grants verb "{{v}}" (rules[].verbs), which ' +
        "bypasses RBAC's limits; remove it and grant the roles or identities directly",
      remediation:
        "Remove `escalate`, `bind` and `impersonate` from `verbs`. Have a cluster " +
        "administrator create the bindings, or use a controller with its own narrowly scoped " +
        "identity.",
    },
  },
  cases: {
    pass: [
      {
        name: "Role managing RoleBindings without bind",
        resource: role("binding-viewer", [
          grant(["rbac.authorization.k8s.io"], ["rolebindings"], ["get", "list", "watch"]),
        ]),
      },
      {
        name: "ClusterRole for a deployment controller",
        resource: clusterRole("deployer", [
          grant(["apps"], ["deployments"], ["get", "list", "create", "update", "patch"]),
        ]),
      },
      {
        name: "Role with a verb only containing bind",
        resource: role("odd-verb", [grant(["example.com"], ["widgets"], ["rebind"])]),
      },
    ],
    fail: [
      fromYaml("cases/restrict-rbac-escalation-verbs/fail-impersonator.yaml", {
        rules: ["escalationVerbs"],
      }),
      {
        name: "ClusterRole with escalate on clusterroles",
        resource: clusterRole("role-editor", [
          grant(["rbac.authorization.k8s.io"], ["clusterroles"], ["get", "update", "escalate"]),
        ]),
        rules: ["escalationVerbs"],
      },
      {
        name: "Role with bind on roles, in its second rule",
        resource: role("binder", [
          grant([""], ["pods"], ["get"]),
          grant(["rbac.authorization.k8s.io"], ["roles"], ["bind"]),
        ]),
        rules: ["escalationVerbs"],
      },
    ],
  },
});
