/**
 * The webhook target from a fixture policy set: golden files (what it writes), and the routing
 * decisions each checked on its own (operations, subresources, scan-only policies, narrowing,
 * RBAC, options). DELETE is tested on IR policies built here: no DSL sets `match.operations` yet.
 */
import type { Expr, ImageRequirement, Json, JsonObject, Operation, Policy } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { emitWebhook } from "./emit-webhook.js";
import type { WebhookOptions } from "./webhook-options.js";

const options: WebhookOptions = {
  namespace: "charter-system",
  image: "registry.example.com/charter/charter-webhook:0.1.0",
  failurePolicy: "Fail",
  timeoutSeconds: 10,
  systemNamespaces: ["kube-system", "kube-public", "kube-node-lease"],
};

const objectName: Expr = {
  kind: "ref",
  root: { kind: "object" },
  path: ["metadata", "name"],
};

function policy(name: string, match: Policy["match"], condition: Expr = objectName): Policy {
  return {
    name,
    title: name,
    description: "",
    severity: "high",
    category: "test",
    controls: [],
    enforcement: "deny",
    match,
    parameters: { schema: { type: "object", properties: {} }, values: {} },
    rules: [
      {
        name: "r",
        condition: {
          kind: "compare",
          op: "==",
          left: condition,
          right: { kind: "literal", value: "x" },
        },
        message: { template: "bad", parts: [{ kind: "text", text: "bad" }] },
      },
    ],
    cases: [],
  };
}

const readsNamespaceLabel: Expr = {
  kind: "ref",
  root: { kind: "namespace" },
  path: ["metadata", "labels", "team"],
};
const countsNetworkPolicies: Expr = {
  kind: "len",
  arg: {
    kind: "inventory",
    apiVersion: "networking.k8s.io/v1",
    resource: "NetworkPolicy",
    namespace: { kind: "ref", root: { kind: "object" }, path: ["metadata", "namespace"] },
  },
};

/** The fixture: pods, Namespaces, a DELETE-only kind, a CRD, cross-resource reads, a scan-only policy. */
const FIXTURE: readonly Policy[] = [
  policy("pods", { subject: "pod", controllers: true }),
  policy("namespaces", { subject: "kinds", kinds: [{ group: "", kind: "Namespace" }] }),
  policy("keep-config", {
    subject: "kinds",
    kinds: [{ group: "", kind: "ConfigMap" }],
    operations: ["DELETE"],
  }),
  policy("widgets", {
    subject: "kinds",
    kinds: [{ group: "example.com", kind: "Widget" }],
    namespaces: { include: ["team-a"] },
  }),
  policy("team-label", { subject: "pod", controllers: false }, readsNamespaceLabel),
  policy("network", { subject: "pod", controllers: false }, countsNetworkPolicies),
  {
    ...policy("encryption", {
      subject: "kinds",
      kinds: [{ group: "apiserver.config.k8s.io", kind: "EncryptionConfiguration" }],
    }),
    excludeTargets: { gatekeeper: "scan only", kyverno: "scan only", vap: "scan only" },
  },
];

function documents(files: ReadonlyMap<string, string>, file: string): JsonObject[] {
  const text = files.get(file);
  if (text === undefined) throw new Error(`${file} was not written`);
  return parseAllDocuments(text).map((document) => document.toJS() as JsonObject);
}

interface Entry {
  readonly name: string;
  readonly rules: readonly {
    apiGroups: string[];
    resources: string[];
    operations: string[];
    scope: string;
  }[];
  readonly namespaceSelector: {
    matchExpressions?: { key: string; operator: string; values: string[] }[];
  };
  readonly matchConditions?: { name: string; expression: string }[];
  readonly clientConfig: { caBundle?: string };
}

function entries(policies: readonly Policy[], opts: WebhookOptions = options): Entry[] {
  const files = emitWebhook(policies, opts);
  const [configuration] = documents(files, "90-validating-webhook-configuration.yaml");
  return (configuration?.webhooks ?? []) as unknown as Entry[];
}

/** `resource → operations` over every entry: what the API server sends to the webhook. */
function routing(policies: readonly Policy[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const entry of entries(policies)) {
    for (const rule of entry.rules) {
      for (const resource of rule.resources) {
        out[`${rule.apiGroups[0]}/${resource}`] = rule.operations;
      }
    }
  }
  return out;
}

const withOperations = (name: string, operations: readonly Operation[]): Policy =>
  policy(name, { subject: "pod", controllers: false, operations });

describe("emitWebhook: golden files", () => {
  const files = emitWebhook(FIXTURE, options);

  it("writes the deployment's files in apply order", () => {
    expect([...files.keys()]).toEqual([
      "00-namespace.yaml",
      "10-service-account.yaml",
      "20-rbac.yaml",
      "25-network-policies.yaml",
      "30-deployment.yaml",
      "40-pod-disruption-budget.yaml",
      "50-service.yaml",
      "90-validating-webhook-configuration.yaml",
    ]);
  });

  it.each([...emitWebhook(FIXTURE, options).keys()])("%s matches its golden file", async (file) => {
    await expect(files.get(file)).toMatchFileSnapshot(`__golden__/${file}`);
  });

  it("is byte-identical whatever order the policies load in", () => {
    expect(emitWebhook([...FIXTURE].reverse(), options)).toEqual(files);
  });
});

describe("emitWebhook: rules", () => {
  it("routes each kind at its resource, with the policies' operations and never CONNECT", () => {
    expect(routing(FIXTURE)).toEqual({
      "/configmaps": ["DELETE"],
      "/namespaces": ["CREATE", "UPDATE"],
      "/pods": ["CREATE", "UPDATE"],
      "/pods/ephemeralcontainers": ["UPDATE"],
      "/pods/resize": ["UPDATE"],
      "/replicationcontrollers": ["CREATE", "UPDATE"],
      "apps/daemonsets": ["CREATE", "UPDATE"],
      "apps/deployments": ["CREATE", "UPDATE"],
      "apps/replicasets": ["CREATE", "UPDATE"],
      "apps/statefulsets": ["CREATE", "UPDATE"],
      "batch/cronjobs": ["CREATE", "UPDATE"],
      "batch/jobs": ["CREATE", "UPDATE"],
      "example.com/widgets": ["CREATE", "UPDATE"],
    });
  });

  it("unions the operations of the policies on one resource (DELETE when one asks)", () => {
    const routed = routing([withOperations("a", ["CREATE"]), withOperations("b", ["DELETE"])]);
    expect(routed["/pods"]).toEqual(["CREATE", "DELETE"]);
  });

  it("sends the pod spec subresources a policy's UPDATE only", () => {
    expect(routing([withOperations("created", ["CREATE"])])).toEqual({ "/pods": ["CREATE"] });
    expect(routing([withOperations("all", ["CREATE", "UPDATE", "DELETE"])])).toEqual({
      "/pods": ["CREATE", "UPDATE", "DELETE"],
      "/pods/ephemeralcontainers": ["UPDATE"],
      "/pods/resize": ["UPDATE"],
    });
  });

  it("names no subresource for a policy that does not judge Pods", () => {
    const routed = routing([
      policy("deployments", { subject: "kinds", kinds: [{ group: "apps", kind: "Deployment" }] }),
    ]);
    expect(Object.keys(routed)).toEqual(["apps/deployments"]);
  });

  it("gives a known kind its scope and an unknown one *", () => {
    const scopes = Object.fromEntries(
      entries(FIXTURE).flatMap((entry) =>
        entry.rules.flatMap((rule) => rule.resources.map((r) => [r, rule.scope])),
      ),
    );
    expect(scopes).toMatchObject({ namespaces: "Cluster", pods: "Namespaced", widgets: "*" });
  });

  it("leaves out scan-only policies, and writes no configuration when nothing is judged", () => {
    expect(JSON.stringify(entries(FIXTURE))).not.toContain("encryptionconfigurations");
    const [scanOnly] = FIXTURE.filter((p) => p.name === "encryption");
    const files = emitWebhook(scanOnly ? [scanOnly] : [], options);
    expect(files.has("90-validating-webhook-configuration.yaml")).toBe(false);
  });

  it("routes each resource through one entry only, so a request is judged once", () => {
    const seen = entries(FIXTURE).flatMap((entry) =>
      entry.rules.flatMap((rule) => rule.resources.map((r) => `${rule.apiGroups[0]}/${r}`)),
    );
    expect(new Set(seen).size).toBe(seen.length);
    expect(entries(FIXTURE).map((entry) => entry.name)).toEqual([
      "namespaces.charter.dev",
      "resources.charter.dev",
    ]);
  });
});

describe("emitWebhook: selectors and conditions", () => {
  const notIn = ["kube-system", "kube-public", "kube-node-lease", "charter-system"];

  it("leaves out the system namespaces and its own on both entries", () => {
    for (const entry of entries(FIXTURE)) {
      expect(entry.namespaceSelector.matchExpressions).toEqual([
        { key: "kubernetes.io/metadata.name", operator: "NotIn", values: notIn },
      ]);
    }
  });

  it("narrows by namespace only when every policy of the entry has a filter", () => {
    const include = (name: string, namespaces: string[], exclude: string[] = []) =>
      policy(name, {
        subject: "kinds",
        kinds: [{ group: "", kind: "Secret" }],
        namespaces: { include: namespaces, exclude },
      });
    const [narrowed] = entries([
      include("a", ["team-b"], ["x", "y"]),
      include("b", ["team-a"], ["y"]),
    ]);
    expect(narrowed?.namespaceSelector.matchExpressions).toEqual([
      { key: "kubernetes.io/metadata.name", operator: "In", values: ["team-a", "team-b"] },
      { key: "kubernetes.io/metadata.name", operator: "NotIn", values: [...notIn, "y"] },
    ]);
    const unfiltered = policy("c", { subject: "kinds", kinds: [{ group: "", kind: "Secret" }] });
    const [wide] = entries([include("a", ["team-b"]), unfiltered]);
    expect(wide?.namespaceSelector.matchExpressions).toEqual([
      { key: "kubernetes.io/metadata.name", operator: "NotIn", values: notIn },
    ]);
  });

  it("never narrows Namespaces by a namespace filter (a Namespace passes every filter)", () => {
    const filtered = policy("ns", {
      subject: "kinds",
      kinds: [{ group: "", kind: "Namespace" }],
      namespaces: { include: ["team-a"] },
    });
    const [entry] = entries([filtered]);
    expect(entry?.name).toBe("namespaces.charter.dev");
    expect(entry?.namespaceSelector.matchExpressions).toEqual([
      { key: "kubernetes.io/metadata.name", operator: "NotIn", values: notIn },
    ]);
  });

  it("adds a label condition only when every policy of the entry selects by labels", () => {
    const labelled = (name: string, app: string) =>
      policy(name, { subject: "pod", controllers: false, labels: { matchLabels: { app } } });
    const [both] = entries([labelled("a", "web"), labelled("b", "api")]);
    expect(both?.matchConditions?.map((c) => c.name)).toEqual(["charter-labels-selected"]);
    expect(both?.matchConditions?.[0]?.expression).toContain(
      'request.operation == "DELETE" ? oldObject : object',
    );
    expect(both?.matchConditions?.[0]?.expression).toContain('"web"');
    expect(both?.matchConditions?.[0]?.expression).toContain('"api"');
    const [one] = entries([
      labelled("a", "web"),
      policy("all", { subject: "pod", controllers: false }),
    ]);
    expect(one?.matchConditions).toBeUndefined();
  });
});

describe("emitWebhook: RBAC and the service account token", () => {
  it("lets the webhook list and watch exactly the kinds its policies read", () => {
    const [role] = documents(emitWebhook(FIXTURE, options), "20-rbac.yaml");
    expect(role?.rules).toEqual([
      { apiGroups: [""], resources: ["namespaces"], verbs: ["list", "watch"] },
      {
        apiGroups: ["networking.k8s.io"],
        resources: ["networkpolicies"],
        verbs: ["list", "watch"],
      },
    ]);
    const [deployment] = documents(emitWebhook(FIXTURE, options), "30-deployment.yaml");
    expect(JSON.stringify(deployment)).toContain('"automountServiceAccountToken":true');
  });

  it("grants nothing and mounts no token when no policy reads beyond the request", () => {
    const files = emitWebhook([policy("pods", { subject: "pod", controllers: true })], options);
    expect(files.has("20-rbac.yaml")).toBe(false);
    const [deployment] = documents(files, "30-deployment.yaml");
    expect(JSON.stringify(deployment)).toContain('"automountServiceAccountToken":false');
    expect(
      documents(files, "25-network-policies.yaml").map((d) => (d.metadata as JsonObject).name),
    ).toEqual(["default-deny", "charter-webhook-ingress", "charter-webhook-egress"]);
    const [, , egress] = documents(files, "25-network-policies.yaml");
    expect(egress?.spec).toEqual({
      podSelector: { matchLabels: { "app.kubernetes.io/name": "charter-webhook" } },
      policyTypes: ["Egress"],
    });
  });
});

describe("emitWebhook: options", () => {
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

  it("writes a given CA bundle base64-encoded, else asks cert-manager to inject it", () => {
    const files = emitWebhook(FIXTURE, { ...options, caBundlePem: pem });
    const [configuration] = documents(files, "90-validating-webhook-configuration.yaml");
    expect((configuration?.metadata as JsonObject | undefined)?.annotations).toBeUndefined();
    for (const entry of entries(FIXTURE, { ...options, caBundlePem: pem })) {
      expect(Buffer.from(entry.clientConfig.caBundle ?? "", "base64").toString("utf8")).toBe(pem);
    }
    const [injected] = documents(
      emitWebhook(FIXTURE, options),
      "90-validating-webhook-configuration.yaml",
    );
    expect((injected?.metadata as JsonObject | undefined)?.annotations).toEqual({
      "cert-manager.io/inject-ca-from": "charter-system/charter-webhook",
    });
  });

  it("writes neither the Namespace nor a namespace-wide default deny into a shared namespace", () => {
    const files = emitWebhook(FIXTURE, { ...options, namespace: "kube-system" });
    expect(files.has("00-namespace.yaml")).toBe(false);
    const names = documents(files, "25-network-policies.yaml").map(
      (d) => (d.metadata as JsonObject | undefined)?.name,
    );
    expect(names).toEqual(["charter-webhook-ingress", "charter-webhook-egress"]);
    const [deployment] = documents(files, "30-deployment.yaml");
    expect((deployment?.metadata as JsonObject | undefined)?.namespace).toBe("kube-system");
  });

  it.each([
    [{ namespace: "Charter" }, /--webhook-namespace "Charter" is not a namespace name/],
    [{ namespace: "default" }, /every object in default would be admitted unjudged/],
    [{ image: "has space:1" }, /--webhook-image "has space:1" is not an image reference/],
    [{ failurePolicy: "Maybe" }, /--webhook-failure-policy "Maybe"/],
    [
      { timeoutSeconds: 31 },
      /--webhook-timeout "31" is not a whole number of seconds from 1 to 30/,
    ],
    [{ timeoutSeconds: 0 }, /from 1 to 30/],
    [{ caBundlePem: "not a certificate" }, /--webhook-ca-bundle holds no PEM certificate/],
  ] as [Partial<Record<keyof WebhookOptions, Json>>, RegExp][])("refuses %j", (bad, message) => {
    expect(() => emitWebhook(FIXTURE, { ...options, ...bad } as WebhookOptions)).toThrow(message);
  });
});

describe("emitWebhook: image rules", () => {
  const imagePolicy = (name: string, requirements: ImageRequirement[]): Policy => ({
    ...policy(name, { subject: "pod", controllers: true }),
    rules: [],
    images: { references: [], attestors: [], requirements },
  });
  const signed = imagePolicy("signed", [
    { kind: "signature", name: "signed", attestors: ["ci"], count: 1 },
  ]);
  const scanned = imagePolicy("scanned", [{ kind: "vulnerabilities", name: "scanned" }]);
  const pinned = imagePolicy("pinned", [{ kind: "digest", name: "pinned" }]);

  it("lists and watches VulnerabilityReports only when a policy reads scans", () => {
    expect(emitWebhook([signed, pinned], options).has("20-rbac.yaml")).toBe(false);
    const [role] = documents(emitWebhook([signed, scanned], options), "20-rbac.yaml");
    expect(role?.rules).toEqual([
      {
        apiGroups: ["aquasecurity.github.io"],
        resources: ["vulnerabilityreports"],
        verbs: ["list", "watch"],
      },
    ]);
  });

  it("lets a registry reader out to HTTPS and DNS, with the deadline and the credentials Secret", () => {
    const files = emitWebhook([signed], options);
    const [, , egress] = documents(files, "25-network-policies.yaml");
    expect((egress?.spec as JsonObject | undefined)?.egress).toEqual([
      { ports: [{ protocol: "TCP", port: 443 }] },
      {
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ]);
    const [deployment] = documents(files, "30-deployment.yaml");
    const text = JSON.stringify(deployment);
    expect(text).toContain('"--image-deadline","7"');
    expect(text).toContain('"env":[{"name":"DOCKER_CONFIG","value":"/docker-config"}]');
    expect(text).toContain(
      '"secret":{"secretName":"charter-webhook-registry","optional":true,"defaultMode":288,"items":[{"key":".dockerconfigjson","path":"config.json"}]}',
    );
    expect(
      JSON.stringify(
        documents(emitWebhook([signed], { ...options, timeoutSeconds: 3 }), "30-deployment.yaml"),
      ),
    ).toContain('"--image-deadline","2.1"');
  });

  it("adds nothing for a digest requirement alone (it needs no registry)", () => {
    const files = emitWebhook([pinned], options);
    const [deployment] = documents(files, "30-deployment.yaml");
    expect(JSON.stringify(deployment)).not.toContain("--image-deadline");
    expect(JSON.stringify(deployment)).not.toContain("DOCKER_CONFIG");
    const [, , egress] = documents(files, "25-network-policies.yaml");
    expect((egress?.spec as JsonObject | undefined)?.egress).toBeUndefined();
  });
});
