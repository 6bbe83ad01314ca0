/**
 * A mesh that carries a namespace's traffic enforces mutual TLS mesh-wide. Decisions, exactly:
 * - Judged on each Namespace in the mesh: labelled `istio-injection: enabled` or carrying an
 *   `istio.io/rev` revision label. Namespaces outside the mesh pass (mTLS is not theirs to have).
 * - A mesh-wide PeerAuthentication lives in Istio's root namespace (`params.rootNamespace`,
 *   default `istio-system`), selects no workloads (no `selector`, or one with no `matchLabels`)
 *   and sets `spec.mtls.mode: STRICT`. Any version of `security.istio.io` counts.
 * - Offline the PeerAuthentication comes from the scanned set and may come after the
 *   Namespace; in a cluster, from Gatekeeper's synced inventory (the emitted SyncSet asks
 *   for PeerAuthentications). Whether each PeerAuthentication is STRICT on its own is
 *   `require-peer-authentication-strict`.
 */
import { kinds, namespaceWith, policy, string, when } from "@charter/dsl";
import type { JsonObject } from "@charter/ir";

function peerAuthentication(
  name: string,
  namespace: string,
  spec: JsonObject,
  apiVersion = "security.istio.io/v1",
): JsonObject {
  return { apiVersion, kind: "PeerAuthentication", metadata: { name, namespace }, spec };
}

const STRICT = { mtls: { mode: "STRICT" } };
const INJECTED = { "istio-injection": "enabled" };
const EMPTY: JsonObject = {};

const NO_LISTS =
  "VAP and Kyverno judge one object at admission and cannot list the PeerAuthentications of " +
  "the root namespace; Gatekeeper (with the emitted SyncSet) and offline scans can";

export default policy("require-mesh-wide-mtls", {
  title: "A mesh-wide STRICT PeerAuthentication exists for every namespace in the mesh",
  description:
    "Per-namespace PeerAuthentications leave every namespace without one on Istio's default, " +
    "PERMISSIVE: plain text accepted. A namespace in the mesh (sidecar injection enabled, or " +
    "an `istio.io/rev` label) requires a mesh-wide PeerAuthentication — in the root " +
    "namespace, without a workload selector — with `mtls.mode: STRICT`.",
  severity: "high",
  category: "Network",
  controls: ["nsa:network:encryption", "area:network"],
  match: kinds("v1/Namespace"),
  params: {
    rootNamespace: string().default("istio-system"),
  },
  rules: {
    meshWide: {
      fail: when`(object.metadata.labels["istio-injection"] == "enabled" or exists(object.metadata.labels["istio.io/rev"]))
        and none pa in inventory("security.istio.io/v1", "PeerAuthentication", params.rootNamespace):
          len(pa.spec.selector.matchLabels ?? ${EMPTY}) == 0 and pa.spec.mtls.mode == "STRICT"`,
      message:
        "namespace {{object.metadata.name}} is in the Istio mesh, but no mesh-wide " +
        "PeerAuthentication with mtls.mode STRICT exists in {{params.rootNamespace}}; add one " +
        "without a selector",
      remediation:
        "Apply a PeerAuthentication named `default` in the root namespace (`istio-system`) " +
        "with no `selector` and `spec.mtls.mode: STRICT`, after checking that every caller " +
        "has a sidecar.",
    },
  },
  excludeTargets: { kyverno: NO_LISTS, vap: NO_LISTS },
  cases: {
    pass: [
      {
        name: "meshed namespace, mesh-wide STRICT",
        resource: namespaceWith("shop", INJECTED),
        inventory: [peerAuthentication("default", "istio-system", STRICT)],
      },
      {
        name: "revision label, v1beta1 mesh-wide STRICT with an empty selector",
        resource: namespaceWith("shop", { "istio.io/rev": "1-24" }),
        inventory: [
          peerAuthentication(
            "default",
            "istio-system",
            { ...STRICT, selector: { matchLabels: {} } },
            "security.istio.io/v1beta1",
          ),
        ],
      },
      {
        name: "a namespace outside the mesh needs none",
        resource: namespaceWith("batch", { team: "data" }),
      },
      {
        name: "injection disabled",
        resource: namespaceWith("legacy", { "istio-injection": "disabled" }),
      },
    ],
    fail: [
      {
        name: "meshed namespace, no PeerAuthentication",
        resource: namespaceWith("shop", INJECTED),
      },
      {
        name: "the mesh-wide one is PERMISSIVE",
        resource: namespaceWith("shop", INJECTED),
        inventory: [
          peerAuthentication("default", "istio-system", { mtls: { mode: "PERMISSIVE" } }),
        ],
      },
      {
        name: "STRICT only in the namespace itself",
        resource: namespaceWith("shop", INJECTED),
        inventory: [peerAuthentication("default", "shop", STRICT)],
      },
      {
        name: "STRICT in the root namespace, but for selected workloads only",
        resource: namespaceWith("shop", { "istio.io/rev": "stable" }),
        inventory: [
          peerAuthentication("gateways", "istio-system", {
            ...STRICT,
            selector: { matchLabels: { app: "istio-ingressgateway" } },
          }),
        ],
      },
    ],
  },
});
