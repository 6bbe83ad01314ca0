/**
 * An Ingress serves every host over TLS. Decisions:
 * - `tls`: `spec.tls` must have at least one entry; an Ingress with only a default backend and
 *   no `tls` fails too (its traffic is plain HTTP).
 * - `uncoveredHost` (only judged once `spec.tls` has entries, so a missing `tls` is one
 *   finding): every `spec.rules[].host` must be listed exactly in the `hosts` of some
 *   `spec.tls` entry. Matching is exact, as the Ingress API compares them: a TLS host
 *   `*.example.com` covers the rule host `*.example.com`, not `api.example.com`. A rule without
 *   a host (it serves every host) is covered only by a TLS entry without `hosts`, which the API
 *   defines as the controller's default (wildcard) certificate; a named host is never covered
 *   by such an entry, because which certificate the controller then serves is not knowable.
 */
import { fromYaml, kinds, policy, when } from "@charter/dsl";
import type { JsonObject } from "@charter/ir";

function ingress(name: string, spec: JsonObject): JsonObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, namespace: "shop" },
    spec: { ingressClassName: "nginx", ...spec },
  };
}

/** A rule sending every path of `host` (or of every host, when undefined) to `service`. */
function rule(host: string | undefined, service = "web"): JsonObject {
  const http = {
    paths: [
      {
        path: "/",
        pathType: "Prefix",
        backend: { service: { name: service, port: { number: 80 } } },
      },
    ],
  };
  return host === undefined ? { http } : { host, http };
}

export default policy("require-ingress-tls", {
  title: "Ingresses serve every host over TLS",
  description:
    "Traffic from outside the cluster must be encrypted. An Ingress must have `spec.tls`, and " +
    "every host of its `spec.rules` must be listed, exactly, in the `hosts` of one of its " +
    "`spec.tls` entries (a rule without a host needs a `spec.tls` entry without `hosts`, the " +
    "controller's default certificate). Wildcards are compared as written: `*.example.com` in " +
    "`tls` covers the rule host `*.example.com` only.",
  severity: "high",
  category: "Network",
  controls: ["nsa:network:encryption", "area:network"],
  match: kinds("networking.k8s.io/v1/Ingress"),
  rules: {
    tls: {
      fail: when`not (len(object.spec.tls) > 0)`,
      message:
        "Ingress {{object.metadata.name}} has no spec.tls, so it serves plain HTTP; add a " +
        "spec.tls entry listing its hosts and the Secret holding their certificate",
      remediation:
        "Add `spec.tls: [{hosts: [<every rule host>], secretName: <a kubernetes.io/tls " +
        "Secret>}]` (cert-manager can issue the Secret from an annotation on the Ingress).",
    },
    uncoveredHost: {
      fail: when`len(object.spec.tls) > 0
        and any r in object.spec.rules:
          not any t in object.spec.tls:
            r.host in t.hosts or ((r.host ?? "") == "" and not (len(t.hosts) > 0))`,
      message:
        'Ingress {{object.metadata.name}} serves host "{{r.host ?? "*"}}" (spec.rules[].host) ' +
        "without TLS: no spec.tls entry lists it; add the host to the hosts of a spec.tls entry",
      remediation:
        "List the host, spelled exactly as in `spec.rules[].host`, in `spec.tls[].hosts` of an " +
        "entry whose Secret holds a certificate for it. A rule without a host needs a `spec.tls` " +
        "entry without `hosts`.",
    },
  },
  cases: {
    pass: [
      {
        name: "one host, covered",
        resource: ingress("shop", {
          tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }],
          rules: [rule("shop.example.com")],
        }),
      },
      {
        name: "two hosts covered by two TLS entries, a wildcard written the same in both",
        resource: ingress("apps", {
          tls: [
            { hosts: ["api.example.com"], secretName: "api-tls" },
            { hosts: ["*.apps.example.com"], secretName: "wildcard-tls" },
          ],
          rules: [rule("api.example.com", "api"), rule("*.apps.example.com")],
        }),
      },
      {
        name: "a rule without a host and a TLS entry without hosts (default certificate)",
        resource: ingress("catch-all", {
          tls: [{ secretName: "default-tls" }],
          rules: [rule(undefined)],
        }),
      },
      fromYaml("cases/require-ingress-tls/pass-default-backend-with-tls.yaml"),
    ],
    fail: [
      {
        name: "no spec.tls",
        resource: ingress("plain", { rules: [rule("shop.example.com")] }),
        rules: ["tls"],
      },
      {
        name: "an empty spec.tls list and only a default backend",
        resource: ingress("backend-only", {
          tls: [],
          defaultBackend: { service: { name: "web", port: { number: 80 } } },
        }),
        rules: ["tls"],
      },
      {
        name: "the second host is not in any TLS entry",
        resource: ingress("partial", {
          tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }],
          rules: [rule("shop.example.com"), rule("admin.example.com", "admin")],
        }),
        rules: ["uncoveredHost"],
      },
      {
        name: "a wildcard TLS host does not cover a concrete rule host",
        resource: ingress("wildcard", {
          tls: [{ hosts: ["*.example.com"], secretName: "wildcard-tls" }],
          rules: [rule("api.example.com")],
        }),
        rules: ["uncoveredHost"],
      },
      {
        name: "a rule without a host, TLS only for a named host",
        resource: ingress("catch-all", {
          tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }],
          rules: [rule(undefined)],
        }),
        rules: ["uncoveredHost"],
      },
    ],
  },
});
