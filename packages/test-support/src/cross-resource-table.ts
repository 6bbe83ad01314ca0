/**
 * Cross-resource cases for every engine: policies that read the resource's Namespace (the
 * `namespace` root) or other objects (`inventory(…)`), each case a resource judged with the
 * rest of its scanned set, and the result the IR semantics give each rule of the case's policy.
 * Every engine runs the whole batch and must equal the IR engine row for row (messages too).
 */
import type { Expr, Json, JsonObject, Policy, Segment } from "@charter/ir";
import { InventoryIndex, inventoryKindsOf, type Resource, type Result } from "@charter/runtime";
import {
  and,
  any,
  eq,
  exists,
  keys,
  kindsMatch,
  len,
  lit,
  message,
  not,
  obj,
  orElse,
  pod,
  policy,
  rule,
  str,
  v,
} from "./build-ir.js";
import { HOSTILE } from "./semantics-table.js";

const ns = (...path: Segment[]): Expr => ({ kind: "ref", root: { kind: "namespace" }, path });
const inventory = (apiVersion: string, resource: string, namespace?: Expr): Expr => ({
  kind: "inventory",
  apiVersion,
  resource,
  ...(namespace ? { namespace } : {}),
});

const UNTRUSTED = "charter.dev/untrusted";

/** The Namespace as the API server binds it: empty or ill-typed values are absent. */
const SHAPE_POLICY = policy("xr-namespace-shape", [
  rule("labelled", exists(ns("metadata", "labels")), message("labels on ", ns("metadata", "name"))),
  rule(
    "active",
    eq(ns("status", "phase"), lit("Active")),
    message("phase ", ns("status", "phase")),
  ),
  rule(
    "generation",
    eq(ns("metadata", "generation"), lit(2)),
    message("generation ", ns("metadata", "generation")),
  ),
]);

/** Policies reading only the Namespace: every engine, CEL ones included, can run them. */
const NAMESPACE_POLICIES: readonly Policy[] = [
  SHAPE_POLICY,
  policy("xr-runtime-class", [
    rule(
      "untrusted",
      and(
        eq(ns("metadata", "labels", UNTRUSTED), lit("true")),
        not(exists(pod("spec", "runtimeClassName"))),
      ),
      message("namespace ", ns("metadata", "name"), " is untrusted; set a runtime class"),
    ),
    rule(
      "plain",
      eq(pod("spec", "hostNetwork"), lit(true)),
      message("host network in ", obj("metadata", "namespace")),
    ),
  ]),
  policy("xr-namespace-keys", [
    rule(
      "team",
      any(
        "k",
        keys(orElse(ns("metadata", "labels"), lit({}))),
        str(v("k"), "startsWith", lit("team")),
      ),
      message("team label ", v("k"), " on ", ns("metadata", "name")),
    ),
  ]),
];

const networkPolicies = (namespace: Expr) =>
  inventory("networking.k8s.io/v1", "NetworkPolicy", namespace);

/** Policies listing other objects: the Rego engines and the IR engine only. */
const INVENTORY_POLICIES: readonly Policy[] = [
  policy("xr-default-deny", [
    rule(
      "ingress",
      not(
        any(
          "np",
          networkPolicies(obj("metadata", "namespace")),
          eq(len(orElse(v("np", "spec", "podSelector"), lit({}))), lit(0)),
        ),
      ),
      message("namespace ", obj("metadata", "namespace"), " has no default-deny NetworkPolicy"),
    ),
    rule(
      "named",
      any(
        "np",
        networkPolicies(obj("metadata", "namespace")),
        eq(v("np", "metadata", "annotations", "bad"), lit("yes")),
      ),
      message("policy ", v("np", "metadata", "name"), " is bad"),
    ),
    rule(
      "missingNamespace",
      any("np", networkPolicies(obj("metadata", "nowhere")), lit(true)),
      message("never"),
    ),
    rule(
      "noneInMissing",
      not(any("np", networkPolicies(obj("metadata", "nowhere")), lit(true))),
      message("none in a missing namespace"),
    ),
  ]),
  policy(
    "xr-mesh",
    [
      rule(
        "strict",
        not(
          any(
            "pa",
            inventory("security.istio.io/v1", "PeerAuthentication", lit("istio-system")),
            eq(v("pa", "spec", "mtls", "mode"), lit("STRICT")),
          ),
        ),
        message("no mesh-wide STRICT PeerAuthentication for ", obj("metadata", "name")),
      ),
      rule(
        "permissive",
        any(
          "pa",
          inventory("security.istio.io/v1", "PeerAuthentication", lit("istio-system")),
          eq(v("pa", "spec", "mtls", "mode"), lit("PERMISSIVE")),
        ),
        message("PERMISSIVE: ", v("pa", "metadata", "name")),
      ),
      rule(
        "namespaces",
        any(
          "n",
          inventory("v1", "Namespace"),
          eq(v("n", "metadata", "labels", "hostile"), lit(HOSTILE)),
        ),
        message("hostile label on ", v("n", "metadata", "name")),
      ),
    ],
    { match: kindsMatch([{ group: "", kind: "Namespace" }]) },
  ),
];

export type CrossResourceFilter = "all" | "namespace-only";

/** The table's policies; `namespace-only` leaves out those listing other objects. */
export function crossResourcePolicies(filter: CrossResourceFilter = "all"): readonly Policy[] {
  return filter === "all" ? [...NAMESPACE_POLICIES, ...INVENTORY_POLICIES] : NAMESPACE_POLICIES;
}

export interface CrossResourceCase {
  readonly note: string;
  /** The policy whose rules `expected` speaks of (others may apply too; engines must agree). */
  readonly policy: string;
  readonly resource: JsonObject;
  /** The rest of the scanned set. */
  readonly inventory: readonly Json[];
  readonly expected: Readonly<Record<string, Result>>;
  /**
   * Set when the case holds what a cluster never stores (an ill-typed label): the offline
   * engines judge it, a tool that loads objects the way a cluster does (gator, the Kyverno
   * CLI) cannot.
   */
  readonly offlineOnly?: true;
}

const namespace = (name: string, labels?: Json): JsonObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: labels === undefined ? { name } : { name, labels },
});

const podIn = (namespaceName: string | undefined, spec: JsonObject = {}): JsonObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: namespaceName === undefined ? { name: "p" } : { name: "p", namespace: namespaceName },
  spec: { containers: [{ name: "c", image: "nginx" }], ...spec },
});

const netpol = (name: string, namespaceName: string, spec: Json, annotations?: Json): Json => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace: namespaceName, ...(annotations ? { annotations } : {}) },
  spec,
});

const peerAuthentication = (name: string, mode: string, apiVersion = "security.istio.io/v1") => ({
  apiVersion,
  kind: "PeerAuthentication",
  metadata: { name, namespace: "istio-system" },
  spec: { mtls: { mode } },
});

const DENY_ALL = { podSelector: {}, policyTypes: ["Ingress"] };

export const CROSS_RESOURCE_CASES: readonly CrossResourceCase[] = [
  {
    note: "empty labels are absent, as the API server shows them; phase and generation read",
    policy: "xr-namespace-shape",
    resource: podIn("apps"),
    inventory: [
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "apps", labels: {}, generation: 2.0 },
        status: { phase: "Active" },
      },
    ],
    expected: { labelled: "pass", active: "fail", generation: "fail" },
  },
  {
    note: "a label with a non-string value is left out, like every ill-typed field",
    policy: "xr-namespace-shape",
    resource: podIn("apps"),
    inventory: [
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "apps", labels: { n: 1, b: true }, generation: "2" },
        status: { phase: "" },
      },
    ],
    expected: { labelled: "pass", active: "pass", generation: "pass" },
    offlineOnly: true,
  },
  {
    note: "untrusted namespace, no runtime class: fails, the message reads the Namespace",
    policy: "xr-runtime-class",
    resource: podIn("apps"),
    inventory: [namespace("apps", { [UNTRUSTED]: "true", team: "a" })],
    expected: { untrusted: "fail", plain: "pass" },
  },
  {
    note: "untrusted namespace with a runtime class passes",
    policy: "xr-runtime-class",
    resource: podIn("apps", { runtimeClassName: "gvisor" }),
    inventory: [namespace("apps", { [UNTRUSTED]: "true" })],
    expected: { untrusted: "pass", plain: "pass" },
  },
  {
    note: "a label value other than the string true passes",
    policy: "xr-runtime-class",
    resource: podIn("apps"),
    inventory: [namespace("apps", { [UNTRUSTED]: "True" })],
    expected: { untrusted: "pass", plain: "pass" },
  },
  {
    note: "a Namespace without labels passes",
    policy: "xr-runtime-class",
    resource: podIn("apps"),
    inventory: [namespace("apps")],
    expected: { untrusted: "pass", plain: "pass" },
  },
  {
    note: "the Namespace is not in the scanned set: only the rule reading it is skipped",
    policy: "xr-runtime-class",
    resource: podIn("apps", { hostNetwork: true }),
    inventory: [namespace("other", { [UNTRUSTED]: "true" })],
    expected: { untrusted: "skip", plain: "fail" },
  },
  {
    note: "a pod naming no namespace: the rule reading the Namespace is skipped",
    policy: "xr-runtime-class",
    resource: podIn(undefined),
    inventory: [namespace("default", { [UNTRUSTED]: "true" })],
    expected: { untrusted: "skip", plain: "pass" },
  },
  {
    note: "a Deployment is judged with its own namespace",
    policy: "xr-runtime-class",
    resource: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "apps" },
      spec: { template: { metadata: { namespace: "elsewhere" }, spec: { containers: [] } } },
    },
    inventory: [namespace("apps", { [UNTRUSTED]: "true" }), namespace("elsewhere")],
    expected: { untrusted: "fail", plain: "pass" },
  },
  {
    note: "the later of two Namespaces with one name counts",
    policy: "xr-runtime-class",
    resource: podIn("apps"),
    inventory: [namespace("apps"), namespace("apps", { [UNTRUSTED]: "true" })],
    expected: { untrusted: "fail", plain: "pass" },
  },
  {
    note: "label keys are judged in code point order: the first witness is the smallest key",
    policy: "xr-namespace-keys",
    resource: podIn("apps"),
    inventory: [namespace("apps", { "team-z": "1", "team-b": "2", "team-\u{1F600}": "3" })],
    expected: { team: "fail" },
  },
  {
    note: "hostile label values reach the message unharmed",
    policy: "xr-namespace-keys",
    resource: podIn(HOSTILE.replace(/[^a-z]/g, "") || "h"),
    inventory: [namespace(HOSTILE.replace(/[^a-z]/g, "") || "h", { team: HOSTILE })],
    expected: { team: "fail" },
  },
  {
    note: "a default-deny NetworkPolicy in the pod's namespace passes",
    policy: "xr-default-deny",
    resource: podIn("a"),
    inventory: [netpol("deny", "a", DENY_ALL)],
    expected: {
      ingress: "pass",
      named: "pass",
      missingNamespace: "pass",
      noneInMissing: "fail",
    },
  },
  {
    note: "a default-deny in another namespace does not count",
    policy: "xr-default-deny",
    resource: podIn("a"),
    inventory: [netpol("deny", "b", DENY_ALL)],
    expected: {
      ingress: "fail",
      named: "pass",
      missingNamespace: "pass",
      noneInMissing: "fail",
    },
  },
  {
    note: "a NetworkPolicy selecting some pods is not default-deny",
    policy: "xr-default-deny",
    resource: podIn("a"),
    inventory: [netpol("some", "a", { podSelector: { matchLabels: { app: "x" } } })],
    expected: {
      ingress: "fail",
      named: "pass",
      missingNamespace: "pass",
      noneInMissing: "fail",
    },
  },
  {
    note: "the later of two NetworkPolicies with one name counts",
    policy: "xr-default-deny",
    resource: podIn("a"),
    inventory: [
      netpol("np", "a", DENY_ALL),
      netpol("np", "a", { podSelector: { matchLabels: { app: "x" } } }),
    ],
    expected: {
      ingress: "fail",
      named: "pass",
      missingNamespace: "pass",
      noneInMissing: "fail",
    },
  },
  {
    note: "witnesses over the inventory come in name order, not reading order",
    policy: "xr-default-deny",
    resource: podIn("a"),
    inventory: [
      netpol("zeta", "a", DENY_ALL, { bad: "yes" }),
      netpol("alpha", "a", DENY_ALL, { bad: "yes" }),
      netpol("\u{1F600}", "a", DENY_ALL, { bad: "yes" }),
      netpol("\uffff", "a", DENY_ALL, { bad: "yes" }),
    ],
    expected: {
      ingress: "pass",
      named: "fail",
      missingNamespace: "pass",
      noneInMissing: "fail",
    },
  },
  {
    note: "a pod naming no namespace has no NetworkPolicies",
    policy: "xr-default-deny",
    resource: podIn(undefined),
    inventory: [netpol("deny", "default", DENY_ALL)],
    expected: {
      ingress: "fail",
      named: "pass",
      missingNamespace: "pass",
      noneInMissing: "fail",
    },
  },
  {
    note: "no mesh-wide STRICT PeerAuthentication fails the Namespace",
    policy: "xr-mesh",
    resource: namespace("apps"),
    inventory: [peerAuthentication("default", "PERMISSIVE")],
    expected: { strict: "fail", permissive: "fail", namespaces: "pass" },
  },
  {
    note: "a STRICT one written at another version counts",
    policy: "xr-mesh",
    resource: namespace("apps"),
    inventory: [peerAuthentication("default", "STRICT", "security.istio.io/v1beta1")],
    expected: { strict: "pass", permissive: "pass", namespaces: "pass" },
  },
  {
    note: "a STRICT one outside the root namespace does not count",
    policy: "xr-mesh",
    resource: namespace("apps"),
    inventory: [
      {
        ...peerAuthentication("default", "STRICT"),
        metadata: { name: "default", namespace: "apps" },
      },
    ],
    expected: { strict: "fail", permissive: "pass", namespaces: "pass" },
  },
  {
    note: "the first PERMISSIVE by name, and the resource itself is in its scanned set",
    policy: "xr-mesh",
    resource: namespace("apps", { hostile: HOSTILE }),
    inventory: [peerAuthentication("zz", "PERMISSIVE"), peerAuthentication("aa", "PERMISSIVE")],
    expected: { strict: "fail", permissive: "fail", namespaces: "fail" },
  },
];

/** The cases as a batch, each resource carrying the index of its own scanned set. */
export function crossResourceBatch(
  policies: readonly Policy[],
  cases: readonly CrossResourceCase[] = CROSS_RESOURCE_CASES,
): Resource[] {
  const kinds = inventoryKindsOf(policies);
  return cases.map((testCase) => ({
    object: testCase.resource,
    inventory: InventoryIndex.of(kinds, [testCase.resource, ...testCase.inventory]),
  }));
}
