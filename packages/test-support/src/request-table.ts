/**
 * Admission requests for every engine (packages/ir README, item 17): policies that judge some
 * operations only and read the `request` root, each case a resource judged in a request, with
 * the result the IR semantics give each rule of the case's policy. Every engine runs the whole
 * batch and must equal the IR engine row for row (messages too).
 */
import type { Expr, Json, JsonObject, Match, Operation, Policy, Segment } from "@charter/ir";
import type { AdmissionContext, Resource, Result } from "@charter/runtime";
import {
  and,
  any,
  containers,
  eq,
  exists,
  kindsMatch,
  lit,
  message,
  not,
  obj,
  podMatch,
  policy,
  rule,
  str,
  v,
} from "./build-ir.js";

export const req = (...path: Segment[]): Expr => ({
  kind: "ref",
  root: { kind: "request" },
  path,
});

const withOperations = (match: Match, operations: readonly Operation[]): Match => ({
  ...match,
  operations,
});

const NAMESPACES = kindsMatch([{ group: "", kind: "Namespace" }]);
const DEPLOYMENTS = kindsMatch([{ group: "apps", kind: "Deployment" }]);
const CONFIG_MAPS = kindsMatch([{ group: "", kind: "ConfigMap" }]);

export const REQUEST_POLICIES: readonly Policy[] = [
  policy(
    "rq-protected-namespace",
    [
      rule(
        "protected",
        eq(obj("metadata", "labels", "protected"), lit("true")),
        message("namespace ", obj("metadata", "name"), " is protected; ", req("operation")),
      ),
    ],
    { match: withOperations(NAMESPACES, ["DELETE"]) },
  ),
  policy(
    "rq-team-label",
    [
      rule(
        "changed",
        and(
          exists(req("oldObject", "metadata", "labels", "team")),
          not(
            eq(obj("metadata", "labels", "team"), req("oldObject", "metadata", "labels", "team")),
          ),
        ),
        message(
          "team ",
          req("oldObject", "metadata", "labels", "team"),
          " became ",
          obj("metadata", "labels", "team"),
        ),
      ),
    ],
    { match: withOperations(DEPLOYMENTS, ["UPDATE"]) },
  ),
  policy(
    "rq-service-account",
    [
      rule(
        "robot",
        str(req("userInfo", "username"), "startsWith", lit("system:serviceaccount:")),
        message(req("operation"), " by ", req("userInfo", "username")),
      ),
      rule(
        "masters",
        any("g", req("userInfo", "groups"), eq(v("g"), lit("system:masters"))),
        message("group ", v("g"), " uid ", req("userInfo", "uid")),
      ),
      rule(
        "extra",
        any("s", req("userInfo", "extra", "scopes"), eq(v("s"), lit("admin"))),
        message("scope ", v("s")),
      ),
      rule(
        "no-old",
        and(eq(req("operation"), lit("UPDATE")), not(exists(req("oldObject")))),
        message("an update without an old object"),
      ),
    ],
    { match: withOperations(CONFIG_MAPS, ["CREATE", "UPDATE", "DELETE"]), enforcement: "warn" },
  ),
  policy("rq-privileged-create", [
    rule(
      "privileged",
      any("c", containers(), eq(v("c", "securityContext", "privileged"), lit(true))),
      message(req("operation"), " of privileged container ", v("c", "name")),
    ),
  ]),
  policy(
    "rq-privileged-create-only",
    [
      rule(
        "privileged",
        any("c", containers(), eq(v("c", "securityContext", "privileged"), lit(true))),
        message("privileged container ", v("c", "name")),
      ),
    ],
    { match: withOperations(podMatch(), ["CREATE"]) },
  ),
  policy(
    "rq-critical-pod-delete",
    [
      rule(
        "critical",
        any("c", containers(), str(v("c", "image"), "startsWith", lit("critical/"))),
        message("pod runs critical image ", v("c", "image"), " on ", req("operation")),
      ),
    ],
    { match: withOperations(podMatch(), ["DELETE"]) },
  ),
];

export interface RequestCase {
  readonly note: string;
  /** The policy whose rules `expected` speaks of; `{}` when it does not judge the request. */
  readonly policy: string;
  readonly resource: JsonObject;
  readonly request?: AdmissionContext;
  readonly expected: Readonly<Record<string, Result>>;
}

const namespace = (name: string, labels?: JsonObject): JsonObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: labels === undefined ? { name } : { name, labels },
});

const deployment = (team?: string, image = "nginx"): JsonObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "apps", ...(team ? { labels: { team } } : {}) },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "web", image, securityContext: { privileged: true } }] },
    },
  },
});

const configMap = (data: JsonObject = {}): JsonObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "apps" },
  data,
});

const pod = (image: string, privileged: boolean): JsonObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "apps" },
  spec: { containers: [{ name: "c", image, securityContext: { privileged } }] },
});

const robot = { username: "system:serviceaccount:apps:deployer", uid: "42", groups: ["ci"] };
const admin = {
  username: "alice",
  uid: "7",
  groups: ["system:masters", "system:authenticated"],
  extra: { scopes: ["read", "admin"] },
};

export const REQUEST_CASES: readonly RequestCase[] = [
  {
    note: "deleting a protected Namespace fails",
    policy: "rq-protected-namespace",
    resource: namespace("prod", { protected: "true" }),
    request: { operation: "DELETE", userInfo: admin },
    expected: { protected: "fail" },
  },
  {
    note: "deleting an unprotected Namespace passes",
    policy: "rq-protected-namespace",
    resource: namespace("dev", { protected: "false" }),
    request: { operation: "DELETE" },
    expected: { protected: "pass" },
  },
  {
    note: "creating a protected Namespace is no DELETE: not judged",
    policy: "rq-protected-namespace",
    resource: namespace("prod", { protected: "true" }),
    request: { operation: "CREATE" },
    expected: {},
  },
  {
    note: "offline, a protected Namespace is a CREATE: not judged",
    policy: "rq-protected-namespace",
    resource: namespace("prod", { protected: "true" }),
    expected: {},
  },
  {
    note: "updating a protected Namespace is no DELETE: not judged",
    policy: "rq-protected-namespace",
    resource: namespace("prod", { protected: "true" }),
    request: { operation: "UPDATE", oldObject: namespace("prod", { protected: "true" }) },
    expected: {},
  },
  {
    note: "an update changing the team label fails, the message reads both objects",
    policy: "rq-team-label",
    resource: deployment("blue"),
    request: { operation: "UPDATE", oldObject: deployment("red"), userInfo: robot },
    expected: { changed: "fail" },
  },
  {
    note: "an update removing the team label fails",
    policy: "rq-team-label",
    resource: deployment(),
    request: { operation: "UPDATE", oldObject: deployment("red") },
    expected: { changed: "fail" },
  },
  {
    note: "an update keeping the team label passes",
    policy: "rq-team-label",
    resource: deployment("red", "nginx:2"),
    request: { operation: "UPDATE", oldObject: deployment("red") },
    expected: { changed: "pass" },
  },
  {
    note: "an update adding the team label passes",
    policy: "rq-team-label",
    resource: deployment("red"),
    request: { operation: "UPDATE", oldObject: deployment() },
    expected: { changed: "pass" },
  },
  {
    note: "a create is no UPDATE: not judged",
    policy: "rq-team-label",
    resource: deployment("red"),
    request: { operation: "CREATE" },
    expected: {},
  },
  {
    note: "a service account's create warns, the message names the operation and user",
    policy: "rq-service-account",
    resource: configMap(),
    request: { operation: "CREATE", userInfo: robot },
    expected: { robot: "fail", masters: "pass", extra: "pass", "no-old": "pass" },
  },
  {
    note: "a master's update: groups and extra read, the old object is there",
    policy: "rq-service-account",
    resource: configMap({ a: "2" }),
    request: { operation: "UPDATE", oldObject: configMap({ a: "1" }), userInfo: admin },
    expected: { robot: "pass", masters: "fail", extra: "fail", "no-old": "pass" },
  },
  {
    note: "an update without an old object: oldObject is missing",
    policy: "rq-service-account",
    resource: configMap(),
    request: { operation: "UPDATE", userInfo: { username: "bob" } },
    expected: { robot: "pass", masters: "pass", extra: "pass", "no-old": "fail" },
  },
  {
    note: "a service account's delete warns",
    policy: "rq-service-account",
    resource: configMap(),
    request: { operation: "DELETE", userInfo: robot },
    expected: { robot: "fail", masters: "pass", extra: "pass", "no-old": "pass" },
  },
  {
    note: "offline: a CREATE with no user",
    policy: "rq-service-account",
    resource: configMap(),
    expected: { robot: "pass", masters: "pass", extra: "pass", "no-old": "pass" },
  },
  {
    note: "the default operations judge an update of a privileged Deployment",
    policy: "rq-privileged-create",
    resource: deployment("red"),
    request: { operation: "UPDATE", oldObject: deployment("red") },
    expected: { privileged: "fail" },
  },
  {
    note: "the default operations do not judge a delete",
    policy: "rq-privileged-create",
    resource: pod("nginx", true),
    request: { operation: "DELETE" },
    expected: {},
  },
  {
    note: "a CREATE-only policy judges a create",
    policy: "rq-privileged-create-only",
    resource: pod("nginx", true),
    request: { operation: "CREATE", userInfo: robot },
    expected: { privileged: "fail" },
  },
  {
    note: "a CREATE-only policy does not judge an update",
    policy: "rq-privileged-create-only",
    resource: pod("nginx", true),
    request: { operation: "UPDATE", oldObject: pod("nginx", false) },
    expected: {},
  },
  {
    note: "deleting a Pod running a critical image fails: the pod view reads the deleted Pod",
    policy: "rq-critical-pod-delete",
    resource: pod("critical/db:1", false),
    request: { operation: "DELETE" },
    expected: { critical: "fail" },
  },
  {
    note: "deleting a Deployment running a critical image fails through its template",
    policy: "rq-critical-pod-delete",
    resource: deployment("red", "critical/db:1"),
    request: { operation: "DELETE" },
    expected: { critical: "fail" },
  },
  {
    note: "deleting an ordinary Pod passes",
    policy: "rq-critical-pod-delete",
    resource: pod("nginx", false),
    request: { operation: "DELETE" },
    expected: { critical: "pass" },
  },
];

/** The cases as the engines take them. */
export function requestBatch(): Resource[] {
  return REQUEST_CASES.map((testCase) => ({
    object: testCase.resource as Json,
    ...(testCase.request ? { request: testCase.request } : {}),
  }));
}
