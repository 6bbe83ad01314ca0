/**
 * Test resources for the RBAC policies' own cases: Roles, ClusterRoles and their bindings,
 * each a valid `rbac.authorization.k8s.io/v1` object.
 *
 * Not a policy: the loader reads `policies/index.ts`, never this folder.
 */
import type { JsonObject } from "@charter/ir";

const API_VERSION = "rbac.authorization.k8s.io/v1";

/** One policy rule of a Role or ClusterRole. */
export function grant(apiGroups: string[], resources: string[], verbs: string[]): JsonObject {
  return { apiGroups, resources, verbs };
}

export function role(name: string, rules: JsonObject[], namespace = "shop"): JsonObject {
  return { apiVersion: API_VERSION, kind: "Role", metadata: { name, namespace }, rules };
}

export function clusterRole(name: string, rules: JsonObject[]): JsonObject {
  return { apiVersion: API_VERSION, kind: "ClusterRole", metadata: { name }, rules };
}

export function user(name: string): JsonObject {
  return { kind: "User", apiGroup: "rbac.authorization.k8s.io", name };
}

export function group(name: string): JsonObject {
  return { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name };
}

export function serviceAccount(name: string, namespace: string): JsonObject {
  return { kind: "ServiceAccount", name, namespace };
}

/** A ClusterRoleBinding of ClusterRole `roleName` to `subjects`. */
export function clusterRoleBinding(
  name: string,
  roleName: string,
  subjects: JsonObject[],
): JsonObject {
  return {
    apiVersion: API_VERSION,
    kind: "ClusterRoleBinding",
    metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
    subjects,
  };
}

/** A RoleBinding in `namespace` of the Role (or, with `roleKind`, ClusterRole) `roleName`. */
export function roleBinding(
  name: string,
  roleName: string,
  subjects: JsonObject[],
  roleKind: "Role" | "ClusterRole" = "Role",
  namespace = "shop",
): JsonObject {
  return {
    apiVersion: API_VERSION,
    kind: "RoleBinding",
    metadata: { name, namespace },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: roleName },
    subjects,
  };
}
