/**
 * The builder (and some template) forms of the policies on cluster objects other than pods:
 * Services, Ingress, NetworkPolicy, Istio PeerAuthentication, RBAC and EncryptionConfiguration.
 * forms.test.ts (and beyond-pss-cluster.test.ts) prove each equals the policy's own condition.
 * Written from the policies' meaning, independently of their constants and helpers.
 */
import type { Cond, Value } from "@charter/dsl";
import { and, any, exists, len, lit, none, not, or, params, resource, when } from "@charter/dsl";
import type { Forms } from "./types.js";

/** The policy enforces ingress: `policyTypes` missing (inferred) or listing Ingress. */
const enforcesIngress = or(
  not(exists(resource.at("spec.policyTypes"))),
  lit("Ingress").in(resource.at("spec.policyTypes")),
);

/** A rule that restricts no ports. */
function allPorts(rule: Value): Cond {
  return not(rule.at("ports").len().gt(0));
}

/** The EncryptionConfiguration entry `e` is the one the API server uses for Secrets. */
function appliesToSecrets(e: Value): Cond {
  const entries = resource.at("resources");
  return or(
    lit("secrets").in(e.at("resources")),
    and(
      lit("*.").in(e.at("resources")),
      none("x", entries, (x) => lit("secrets").in(x.at("resources"))),
    ),
    and(
      lit("*.*").in(e.at("resources")),
      none("y", entries, (y) =>
        or(lit("secrets").in(y.at("resources")), lit("*.").in(y.at("resources"))),
      ),
    ),
  );
}

export const FORMS: Record<string, Record<string, Forms>> = {
  "restrict-service-external-access": {
    nodePort: {
      template: when`object.spec.type == "NodePort"`,
      builder: resource.at("spec.type").eq("NodePort"),
    },
    externalIPs: {
      template: when`any ip in object.spec.externalIPs: exists(ip)`,
      builder: any("ip", resource.at("spec.externalIPs"), (ip) => exists(ip)),
    },
  },
  "require-ingress-tls": {
    tls: {
      template: when`not (len(object.spec.tls) > 0)`,
      builder: not(len(resource.at("spec.tls")).gt(0)),
    },
    uncoveredHost: {
      builder: and(
        resource.at("spec.tls").len().gt(0),
        any("r", resource.at("spec.rules"), (r) =>
          none("t", resource.at("spec.tls"), (t) =>
            or(
              r.at("host").in(t.at("hosts")),
              and(r.at("host").orElse("").eq(""), not(t.at("hosts").len().gt(0))),
            ),
          ),
        ),
      ),
    },
  },
  "disallow-allow-all-ingress-networkpolicy": {
    anySource: {
      builder: and(
        enforcesIngress,
        any("r", resource.at("spec.ingress"), (r) =>
          and(allPorts(r), not(r.at("from").len().gt(0))),
        ),
      ),
    },
    openPeer: {
      builder: and(
        enforcesIngress,
        any("r", resource.at("spec.ingress"), (r) =>
          and(
            allPorts(r),
            any("p", r.at("from"), (p) =>
              or(
                and(
                  not(exists(p.at("podSelector"))),
                  not(exists(p.at("namespaceSelector"))),
                  not(exists(p.at("ipBlock"))),
                ),
                and(
                  p.at("ipBlock.cidr").in(["0.0.0.0/0", "::/0"]),
                  not(p.at("ipBlock.except").len().gt(0)),
                ),
              ),
            ),
          ),
        ),
      ),
    },
  },
  "require-peer-authentication-strict": {
    mode: {
      template: when`not (object.spec.mtls.mode == "STRICT")`,
      builder: not(resource.at("spec.mtls.mode").eq("STRICT")),
    },
    portLevelMtls: {
      template: when`len(object.spec.portLevelMtls) > 0`,
      builder: resource.at("spec.portLevelMtls").len().gt(0),
    },
  },
  "restrict-rbac-wildcards": {
    wildcardVerbs: {
      template: when`any r in object.rules: "*" in r.verbs`,
      builder: any("r", resource.at("rules"), (r) => lit("*").in(r.at("verbs"))),
    },
    wildcardResources: {
      builder: any("r", resource.at("rules"), (r) =>
        any("s", r.at("resources"), (s) => or(s.eq("*"), s.startsWith("*/"))),
      ),
    },
  },
  "restrict-rbac-escalation-verbs": {
    escalationVerbs: {
      template: when`any r in object.rules: any v in r.verbs: v in ["escalate", "bind", "impersonate"]`,
      builder: any("r", resource.at("rules"), (r) =>
        any("v", r.at("verbs"), (v) => v.in(["escalate", "bind", "impersonate"])),
      ),
    },
  },
  "restrict-cluster-admin-bindings": {
    clusterAdmin: {
      builder: and(
        resource.at("roleRef.kind").eq("ClusterRole"),
        resource.at("roleRef.name").eq("cluster-admin"),
        any("s", resource.at("subjects"), (s) =>
          none("a", params.at("allowedSubjects"), (a) =>
            and(
              a.at("kind").eq(s.at("kind")),
              a.at("name").eq(s.at("name")),
              a.at("namespace").orElse("").eq(s.at("namespace").orElse("")),
            ),
          ),
        ),
      ),
    },
  },
  "disallow-anonymous-bindings": {
    anonymousSubject: {
      builder: and(
        not(resource.at("metadata.name").in(params.at("allowedBindings"))),
        any("s", resource.at("subjects"), (s) =>
          and(
            s.at("kind").in(["User", "Group"]),
            s.at("name").in(["system:anonymous", "system:unauthenticated"]),
          ),
        ),
      ),
    },
  },
  "restrict-secrets-read": {
    readsSecrets: {
      builder: and(
        not(resource.at("metadata.name").startsWith("system:")),
        not(resource.at("metadata.name").in(params.at("allowed"))),
        any("r", resource.at("rules"), (r) =>
          and(
            or(lit("").in(r.at("apiGroups")), lit("*").in(r.at("apiGroups"))),
            or(lit("secrets").in(r.at("resources")), lit("*").in(r.at("resources"))),
            any("v", r.at("verbs"), (v) => v.in(["get", "list", "watch", "*"])),
          ),
        ),
      ),
    },
  },
  "require-encryption-config": {
    secretsCovered: {
      builder: none("e", resource.at("resources"), appliesToSecrets),
    },
    identityFirst: {
      builder: any("e", resource.at("resources"), (e) =>
        and(
          appliesToSecrets(e),
          or(exists(e.at("providers[0].identity")), not(e.at("providers").len().gt(0))),
        ),
      ),
    },
    kmsV1: {
      builder: any("e", resource.at("resources"), (e) =>
        and(
          appliesToSecrets(e),
          any("p", e.at("providers"), (p) =>
            and(exists(p.at("kms")), not(p.at("kms.apiVersion").eq("v2"))),
          ),
        ),
      ),
    },
    unknownProvider: {
      builder: any("e", resource.at("resources"), (e) =>
        and(
          appliesToSecrets(e),
          any("p", e.at("providers"), (p) =>
            not(
              or(
                exists(p.at("kms")),
                exists(p.at("aescbc")),
                exists(p.at("aesgcm")),
                exists(p.at("secretbox")),
                exists(p.at("identity")),
              ),
            ),
          ),
        ),
      ),
    },
  },
};
