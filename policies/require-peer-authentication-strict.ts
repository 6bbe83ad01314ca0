/**
 * Istio PeerAuthentication objects require mutual TLS. Decisions:
 * - `mode`: `spec.mtls.mode` must be `STRICT`, written out. `PERMISSIVE` and `DISABLE` fail, and
 *   so do `UNSET` and a missing `mtls`: they inherit from the namespace-wide or mesh-wide
 *   object, and on the mesh-wide one they mean Istio's default, PERMISSIVE. Requiring STRICT on
 *   every object lets each be judged alone, without the others.
 * - `portLevelMtls`: any entry fails. It is a map from port to mode, and the IR cannot iterate a
 *   map's values, so the entries' modes cannot be read; with the object-wide mode STRICT, a port
 *   entry can only restate STRICT or weaken it.
 * Whether a mesh-wide STRICT PeerAuthentication exists is a question about the whole set of
 * objects, for the cross-resource policies.
 * Matches `security.istio.io` PeerAuthentication at every version (v1 and v1beta1 alike).
 */
import { fromYaml, kinds, policy, when } from "@charter/dsl";
import type { JsonObject } from "@charter/ir";

function peerAuthentication(name: string, namespace: string, spec: JsonObject): JsonObject {
  return {
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: { name, namespace },
    spec,
  };
}

const API_SELECTOR = { matchLabels: { app: "api" } };

export default policy("require-peer-authentication-strict", {
  title: "Istio PeerAuthentication requires mutual TLS (STRICT)",
  description:
    "Mutual TLS between workloads encrypts in-cluster traffic and proves who is calling. A " +
    "PeerAuthentication must set `spec.mtls.mode: STRICT` explicitly (PERMISSIVE accepts " +
    "plain text, DISABLE turns mTLS off, and UNSET or a missing mode inherits, which on the " +
    "mesh-wide object means PERMISSIVE) and must not carry `spec.portLevelMtls` overrides. " +
    "That a mesh-wide STRICT PeerAuthentication exists is checked by a cross-resource policy.",
  severity: "high",
  category: "Network",
  controls: ["nsa:network:encryption", "area:network"],
  match: kinds("security.istio.io/v1/PeerAuthentication"),
  rules: {
    mode: {
      fail: when`not (object.spec.mtls.mode == "STRICT")`,
      message:
        'PeerAuthentication {{object.metadata.name}} sets spec.mtls.mode "{{object.spec.mtls.mode ?? "UNSET"}}", ' +
        "which accepts plain-text traffic or inherits it; set spec.mtls.mode to STRICT",
      remediation:
        "Set `spec.mtls.mode: STRICT`. To migrate, check Istio's telemetry (or `istioctl x " +
        "describe`) for plain-text callers first, and give them a sidecar.",
    },
    portLevelMtls: {
      fail: when`len(object.spec.portLevelMtls) > 0`,
      message:
        "PeerAuthentication {{object.metadata.name}} overrides mTLS per port " +
        "(spec.portLevelMtls); remove spec.portLevelMtls so every port is STRICT",
      remediation:
        "Remove `spec.portLevelMtls`. A port that must accept plain text (a health check from " +
        "outside the mesh) is better served on a separate, non-mesh port or through a probe " +
        "rewrite by the sidecar.",
    },
  },
  cases: {
    pass: [
      fromYaml("cases/require-peer-authentication-strict/pass-mesh-wide-strict.yaml"),
      {
        name: "namespace-wide STRICT",
        resource: peerAuthentication("default", "shop", { mtls: { mode: "STRICT" } }),
      },
      {
        name: "workload STRICT with a selector and an empty portLevelMtls",
        resource: peerAuthentication("api", "shop", {
          selector: API_SELECTOR,
          mtls: { mode: "STRICT" },
          portLevelMtls: {},
        }),
      },
      {
        name: "v1beta1 STRICT",
        resource: {
          ...peerAuthentication("legacy", "billing", { mtls: { mode: "STRICT" } }),
          apiVersion: "security.istio.io/v1beta1",
        },
      },
    ],
    fail: [
      {
        name: "PERMISSIVE namespace-wide",
        resource: peerAuthentication("default", "shop", { mtls: { mode: "PERMISSIVE" } }),
        rules: ["mode"],
      },
      {
        name: "DISABLE for one workload",
        resource: peerAuthentication("legacy-db", "shop", {
          selector: { matchLabels: { app: "db" } },
          mtls: { mode: "DISABLE" },
        }),
        rules: ["mode"],
      },
      {
        name: "no mtls at all (inherits; on the mesh-wide object, PERMISSIVE)",
        resource: peerAuthentication("default", "istio-system", {}),
        rules: ["mode"],
      },
      {
        name: "UNSET mode with a PERMISSIVE port",
        resource: peerAuthentication("api", "shop", {
          selector: API_SELECTOR,
          mtls: { mode: "UNSET" },
          portLevelMtls: { "8080": { mode: "PERMISSIVE" } },
        }),
        rules: ["mode", "portLevelMtls"],
      },
      {
        name: "STRICT with a port opened to plain text",
        resource: peerAuthentication("api", "shop", {
          selector: API_SELECTOR,
          mtls: { mode: "STRICT" },
          portLevelMtls: { "9090": { mode: "DISABLE" } },
        }),
        rules: ["portLevelMtls"],
      },
    ],
  },
});
