/**
 * The policy set the webhook's tests judge with: deny policies of the library (one of them
 * cross-resource), the warn and audit fixtures of test/fixtures/crd-objects-project, a deny
 * policy that judges only DELETE, and an exception — with objects that pass and fail each.
 */
import type { JsonObject, Policy, PolicyException } from "@charter/ir";
import { NAMESPACE_KIND } from "@charter/ir";
import library from "../../../policies/index.js";
import auditServiceType from "../../../test/fixtures/crd-objects-project/policies/audit-service-type.js";
import warnTeamLabel from "../../../test/fixtures/crd-objects-project/policies/warn-team-label.js";
import { eq, kindsMatch, lit, message, obj, policy, rule } from "./build-ir.js";

const fromLibrary = (name: string): Policy => {
  const found = library.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no library policy ${name}`);
  return found;
};

/** A deny policy asked only about deletions: a ConfigMap labelled protected stays. */
export const protectConfigMaps: Policy = (() => {
  const base = policy(
    "protect-configmaps",
    [
      rule(
        "protected",
        eq(obj("metadata", "labels", "protected"), lit("true")),
        message("ConfigMap ", obj("metadata", "name"), " is protected and cannot be deleted"),
      ),
    ],
    { match: kindsMatch([{ group: "", kind: "ConfigMap" }]) },
  );
  return { ...base, match: { ...base.match, operations: ["DELETE"] } } as Policy;
})();

export const WEBHOOK_POLICIES: readonly Policy[] = [
  fromLibrary("disallow-privileged-containers"),
  fromLibrary("disallow-host-path"),
  fromLibrary("require-default-deny-network-policy"),
  warnTeamLabel,
  auditServiceType,
  protectConfigMaps,
];

/** The library's deny policies of the set that read only the object. */
export const PLAIN_POLICIES: readonly Policy[] = WEBHOOK_POLICIES.filter(
  (p) => p.name !== "require-default-deny-network-policy",
);

export const LEGACY_EXCEPTION: PolicyException = {
  name: "legacy-privileged",
  policy: "disallow-privileged-containers",
  match: { namespaces: ["legacy"] },
  reason: "the legacy agent needs the host until it is rewritten",
  owner: "platform",
  expires: "2099-12-31",
};

export const INVENTORY_KINDS = [
  NAMESPACE_KIND,
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespaced: true },
];

export function defaultDeny(namespace: string): JsonObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "default-deny", namespace },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
}

export function namespaceObject(name: string): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
  };
}

export function webhookPod(
  name: string,
  namespace: string,
  options: { privileged?: boolean; hostPath?: boolean } = {},
): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: {
      containers: [
        {
          name: "app",
          image: "registry.example.com/app:1.0",
          securityContext: { privileged: options.privileged ?? false },
        },
      ],
      ...(options.hostPath ? { volumes: [{ name: "host", hostPath: { path: "/var/run" } }] } : {}),
    },
  };
}

export function configMap(
  name: string,
  namespace: string,
  labels: Record<string, string> = {},
): JsonObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, labels }, data: {} };
}

export function service(name: string, namespace: string, type = "ClusterIP"): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace },
    spec: { type, ...(type === "ExternalName" ? { externalName: "db.example.com" } : {}) },
  };
}
