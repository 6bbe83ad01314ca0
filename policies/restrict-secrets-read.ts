/**
 * No ClusterRole lets its holders read Secrets across the cluster. A rule reads Secrets when its
 * `apiGroups` hold "" (core) or `*`, its `resources` hold `secrets` or `*`, and its `verbs`
 * hold get, list, watch or `*`. Rules limited by `resourceNames` count too (they still read
 * Secrets; list the role if it is needed). Exempt: ClusterRoles named `system:…` (Kubernetes'
 * own controllers) and the names in the parameter `allowed` (by default the built-in
 * user-facing `admin` and `edit`, which are meant to be bound per namespace).
 */
import { fromYaml, kinds, list, policy, string, when } from "@charter/dsl";
import { clusterRole, grant } from "./support/rbac.js";

const READ_VERBS = ["get", "list", "watch", "*"];

export default policy("restrict-secrets-read", {
  title: "ClusterRoles do not read Secrets",
  description:
    "A ClusterRole that can get, list or watch Secrets reads every credential in every " +
    "namespace it is bound in (cluster-wide with a ClusterRoleBinding). Fails a ClusterRole " +
    "granting get, list, watch or `*` on `secrets` (or `*`) in the core API group (or `*`), " +
    "unless its name starts with `system:` or is listed in the parameter `allowed`.",
  severity: "high",
  category: "RBAC",
  controls: ["cis:5.1.2", "nsa:auth:rbac", "area:rbac"],
  match: kinds("rbac.authorization.k8s.io/v1/ClusterRole"),
  params: {
    allowed: list(string())
      .default(["admin", "edit"])
      .describe("names of ClusterRoles that may read Secrets"),
  },
  rules: {
    readsSecrets: {
      fail: when`not (object.metadata.name startsWith "system:")
        and not (object.metadata.name in params.allowed)
        and any r in object.rules:
          ("" in r.apiGroups or "*" in r.apiGroups)
          and ("secrets" in r.resources or "*" in r.resources)
          and any v in r.verbs: v in ${READ_VERBS}`,
      message:
        'ClusterRole {{object.metadata.name}} grants "{{v}}" on Secrets (rules[].verbs); ' +
        "remove it and grant Secret access in a Role in the namespace that needs it, or add " +
        "the role to the allowed parameter",
      remediation:
        "Remove the Secret-reading verbs from the ClusterRole. Grant `get` on the named " +
        "Secrets (`resourceNames`) in a Role in the one namespace that needs them, or mount " +
        "the Secrets into the pod instead of reading them through the API.",
    },
  },
  cases: {
    pass: [
      {
        name: "a Kubernetes system role",
        resource: clusterRole("system:controller:token-cleaner", [
          grant([""], ["secrets"], ["delete", "get", "list", "watch"]),
        ]),
      },
      {
        name: "the built-in edit role (allowed by default)",
        resource: clusterRole("edit", [
          grant([""], ["secrets"], ["create", "delete", "get", "list", "patch", "update", "watch"]),
        ]),
      },
      {
        name: "creating Secrets without reading them",
        resource: clusterRole("secret-writer", [grant([""], ["secrets"], ["create", "update"])]),
      },
      {
        name: "reading secrets of another API group",
        resource: clusterRole("vault-reader", [
          grant(["secrets.example.com"], ["secrets"], ["get", "list"]),
        ]),
      },
    ],
    fail: [
      fromYaml("cases/restrict-secrets-read/fail-secret-lister.yaml", { rules: ["readsSecrets"] }),
      {
        name: "every verb on every core resource",
        resource: clusterRole("core-admin", [grant([""], ["*"], ["*"])]),
        rules: ["readsSecrets"],
      },
      {
        name: "get on secrets in any group, second rule",
        resource: clusterRole("ingress-controller", [
          grant([""], ["services", "endpoints"], ["get", "list", "watch"]),
          grant(["*"], ["secrets"], ["get"]),
        ]),
        rules: ["readsSecrets"],
      },
      {
        name: "watch on a few named Secrets still counts",
        resource: clusterRole("cert-watcher", [
          {
            apiGroups: [""],
            resources: ["secrets"],
            resourceNames: ["tls-cert"],
            verbs: ["watch"],
          },
        ]),
        rules: ["readsSecrets"],
      },
    ],
  },
});
