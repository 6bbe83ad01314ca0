import { type Json, type JsonObject, POD_CONTROLLERS } from "@charter/ir";
import { eq, kindsMatch, lit, podMatch, policy, rule } from "@charter/test-support/build-ir";
import { describe, expect, it } from "vitest";
import { podView, policyApplies } from "./match.js";

const template = { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c" }] } };

/** A controller object with its template at the controller's own template path. */
function controller(
  apiVersion: string,
  kind: string,
  path: readonly (string | number)[],
): JsonObject {
  let value: Json = template;
  for (const key of [...path].reverse()) value = { [key as string]: value };
  return { apiVersion, kind, metadata: { name: "c", namespace: "prod" }, ...(value as JsonObject) };
}

const always = [rule("r", eq(lit(1), lit(1)))];
const podPolicy = policy("pods", always, { match: podMatch(true) });
const podOnly = policy("pods-only", always, { match: podMatch(false) });
const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: template.spec };

describe("policyApplies: pod policies", () => {
  it("applies to a Pod", () => {
    expect(policyApplies(podPolicy, pod)).toBe("yes");
    expect(policyApplies(podOnly, pod)).toBe("yes");
  });

  it("applies to a Pod without a spec (the rules judge the missing fields)", () => {
    expect(
      policyApplies(podPolicy, { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }),
    ).toBe("yes");
  });

  it.each(POD_CONTROLLERS.map((c) => ({ ...c, note: `${c.apiVersion} ${c.kind}` })))(
    "applies to $note and reads its template",
    ({ apiVersion, kind, template: path }) => {
      const object = controller(apiVersion, kind, path);
      expect(policyApplies(podPolicy, object)).toBe("yes");
      expect(policyApplies(podOnly, object)).toBe("no");
      expect(podView(object)).toEqual(template);
    },
  );

  it("CronJob's template is under spec.jobTemplate.spec.template", () => {
    const cronJob = controller("batch/v1", "CronJob", ["spec", "jobTemplate", "spec", "template"]);
    expect(podView(cronJob)).toEqual(template);
    // A template at spec.template is not where a CronJob keeps it.
    const wrong = controller("batch/v1", "CronJob", ["spec", "template"]);
    expect(policyApplies(podPolicy, wrong)).toBe("skip");
    expect(podView(wrong)).toBeUndefined();
  });

  it.each(POD_CONTROLLERS.map((c) => ({ ...c, note: `${c.apiVersion} ${c.kind}` })))(
    "skips $note without a template object",
    ({ apiVersion, kind }) => {
      for (const spec of [undefined, {}, { template: null }, { template: "x" }, { template: [] }]) {
        const object = { apiVersion, kind, metadata: { name: "c" }, ...(spec ? { spec } : {}) };
        expect(policyApplies(podPolicy, object as Json)).toBe("skip");
        expect(podView(object as Json)).toBeUndefined();
      }
    },
  );

  it("an empty template object is judged", () => {
    const object = controller("apps/v1", "Deployment", ["spec", "template"]);
    (object.spec as { template: unknown }).template = {};
    expect(policyApplies(podPolicy, object)).toBe("yes");
    expect(podView(object)).toEqual({});
  });

  it("matches on group and kind, any version", () => {
    expect(
      policyApplies(podPolicy, controller("apps/v1beta2", "Deployment", ["spec", "template"])),
    ).toBe("yes");
    expect(
      policyApplies(
        podPolicy,
        controller("extensions/v1beta1", "Deployment", ["spec", "template"]),
      ),
    ).toBe("no");
    expect(
      policyApplies(podPolicy, controller("example.com/v1", "Pod", ["spec", "template"])),
    ).toBe("no");
    expect(policyApplies(podPolicy, { ...pod, kind: "pod" })).toBe("no");
  });

  it("does not apply to non-objects or objects without apiVersion/kind", () => {
    for (const value of [null, 1, "Pod", [pod], {}, { kind: "Pod" }, { apiVersion: "v1" }]) {
      expect(policyApplies(podPolicy, value as Json)).toBe("no");
    }
  });

  it("the pod view of a Pod is its metadata and spec only", () => {
    expect(podView({ ...pod, status: { phase: "Running" } })).toEqual({
      metadata: pod.metadata,
      spec: pod.spec,
    });
    expect(podView({ apiVersion: "v1", kind: "Pod" })).toEqual({});
    expect(podView({ apiVersion: "v1", kind: "Service", metadata: { name: "s" } })).toBeUndefined();
  });
});

describe("policyApplies: kinds", () => {
  const services = policy("svc", always, {
    match: kindsMatch([
      { group: "", kind: "Service" },
      { group: "networking.k8s.io", kind: "Ingress" },
    ]),
  });

  it("matches the listed kinds by group", () => {
    expect(
      policyApplies(services, { apiVersion: "v1", kind: "Service", metadata: { name: "s" } }),
    ).toBe("yes");
    expect(
      policyApplies(services, {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "i" },
      }),
    ).toBe("yes");
    expect(
      policyApplies(services, {
        apiVersion: "extensions/v1beta1",
        kind: "Ingress",
        metadata: { name: "i" },
      }),
    ).toBe("no");
    expect(policyApplies(services, pod)).toBe("no");
  });

  it("a kinds policy listing Pod does not reach controllers", () => {
    const pods = policy("k", always, { match: kindsMatch([{ group: "", kind: "Pod" }]) });
    expect(policyApplies(pods, pod)).toBe("yes");
    expect(policyApplies(pods, controller("apps/v1", "Deployment", ["spec", "template"]))).toBe(
      "no",
    );
  });
});

describe("policyApplies: namespaces", () => {
  const inNs = (namespace?: string): JsonObject => ({
    ...pod,
    metadata: { name: "p", ...(namespace !== undefined ? { namespace } : {}) },
  });
  const excluding = policy("x", always, { match: podMatch(true, { exclude: ["kube-system"] }) });
  const including = policy("i", always, { match: podMatch(true, { include: ["prod", "stage"] }) });
  const both = policy("b", always, {
    match: podMatch(true, { include: ["prod", "kube-system"], exclude: ["kube-system"] }),
  });
  const emptyInclude = policy("e", always, { match: podMatch(true, { include: [] }) });

  it.each([
    { note: "exclude hits", p: excluding, ns: "kube-system", want: "no" },
    { note: "exclude misses", p: excluding, ns: "prod", want: "yes" },
    { note: "include hits", p: including, ns: "stage", want: "yes" },
    { note: "include misses", p: including, ns: "dev", want: "no" },
    { note: "exclude wins over include", p: both, ns: "kube-system", want: "no" },
    { note: "include and not excluded", p: both, ns: "prod", want: "yes" },
    { note: "empty include means every namespace", p: emptyInclude, ns: "any", want: "yes" },
    { note: "no namespace passes include", p: including, ns: undefined, want: "yes" },
    { note: "no namespace passes exclude", p: excluding, ns: undefined, want: "yes" },
    { note: "empty namespace counts as none", p: including, ns: "", want: "yes" },
    { note: "names are exact, not prefixes", p: including, ns: "production", want: "no" },
  ])("$note", ({ p, ns, want }) => {
    expect(policyApplies(p, inNs(ns))).toBe(want);
  });

  it("a controller is filtered on its own namespace, not its template's", () => {
    const deployment = controller("apps/v1", "Deployment", ["spec", "template"]);
    (deployment.metadata as { namespace: string }).namespace = "kube-system";
    ((deployment.spec as JsonObject).template as { metadata: object }).metadata = {
      namespace: "prod",
    };
    expect(policyApplies(excluding, deployment)).toBe("no");
  });

  it("the namespace filter comes before the template check", () => {
    const bare = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "kube-system" },
    };
    expect(policyApplies(excluding, bare)).toBe("no");
    expect(policyApplies(excluding, { ...bare, metadata: { name: "d" } })).toBe("skip");
  });

  it("a cluster-scoped object passes the filter", () => {
    const crb = policy("c", always, {
      match: kindsMatch([{ group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" }], {
        include: ["prod"],
      }),
    });
    const object = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "x" },
    };
    expect(policyApplies(crb, object)).toBe("yes");
  });
});

describe("policyApplies: system namespaces", () => {
  const system = ["kube-system", "kube-public"];
  const inNamespace = (object: JsonObject, namespace: string): JsonObject => ({
    ...object,
    metadata: { ...(object.metadata as JsonObject), namespace },
  });
  const namespaces = policy("namespaces", always, {
    match: kindsMatch([{ group: "", kind: "Namespace" }]),
  });
  const nodes = policy("nodes", always, { match: kindsMatch([{ group: "", kind: "Node" }]) });

  it("a matched object in one is 'system', before a missing template is looked at", () => {
    expect(policyApplies(podPolicy, inNamespace(pod, "kube-system"), system)).toBe("system");
    const bare = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { namespace: "kube-public" },
    };
    expect(policyApplies(podPolicy, bare, system)).toBe("system");
    expect(policyApplies(podPolicy, { ...bare, metadata: { namespace: "prod" } }, system)).toBe(
      "skip",
    );
  });

  it("an object the policy does not match stays 'no'", () => {
    expect(
      policyApplies(podOnly, controller("apps/v1", "Deployment", ["spec", "template"]), system),
    ).toBe("no");
    const filtered = policy("filtered", always, {
      match: { ...podMatch(true), namespaces: { include: ["prod"] } },
    });
    expect(policyApplies(filtered, inNamespace(pod, "kube-system"), system)).toBe("no");
  });

  it("the Namespace itself by its name; other cluster-scoped objects and other namespaces are judged", () => {
    const ns = (name: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
    expect(policyApplies(namespaces, ns("kube-system"), system)).toBe("system");
    expect(policyApplies(namespaces, ns("team-a"), system)).toBe("yes");
    expect(
      policyApplies(
        nodes,
        { apiVersion: "v1", kind: "Node", metadata: { name: "kube-system" } },
        system,
      ),
    ).toBe("yes");
    expect(policyApplies(podPolicy, inNamespace(pod, "default"), system)).toBe("yes");
    expect(policyApplies(podPolicy, pod, system)).toBe("yes");
  });

  it("none by default", () => {
    expect(policyApplies(podPolicy, inNamespace(pod, "kube-system"))).toBe("yes");
  });
});
