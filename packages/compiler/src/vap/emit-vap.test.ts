import { CharterError, type Policy } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { policiesFor } from "../targets/compile-targets.js";
import { emitVap } from "./emit-vap.js";

const base: Policy = {
  name: "no-privileged",
  title: "Containers are not privileged",
  description: "A privileged container is root on the node.",
  severity: "critical",
  category: "Pod Security Standards (Baseline)",
  controls: ["pss:baseline:privileged"],
  enforcement: "deny",
  match: { subject: "pod", controllers: true },
  parameters: { schema: { type: "object", properties: {} }, values: {} },
  rules: [
    {
      name: "privileged",
      condition: {
        kind: "quantifier",
        quantifier: "any",
        variable: "c",
        collection: { kind: "ref", root: { kind: "containers" }, path: [] },
        body: {
          kind: "compare",
          op: "==",
          left: {
            kind: "ref",
            root: { kind: "var", name: "c" },
            path: ["securityContext", "privileged"],
          },
          right: { kind: "literal", value: true },
        },
      },
      message: {
        template: "container is privileged",
        parts: [{ kind: "text", text: "container is privileged" }],
      },
    },
  ],
  cases: [],
};

/** A rule over the `object` root, for policies matching kinds. */
const objectRule: Policy["rules"][number] = {
  name: "named",
  condition: {
    kind: "exists",
    arg: { kind: "ref", root: { kind: "object" }, path: ["metadata", "name"] },
  },
  message: { template: "named", parts: [{ kind: "text", text: "named" }] },
};

// biome-ignore lint/suspicious/noExplicitAny: reading emitted YAML back
function documents(policy: Policy): any[] {
  const files = emitVap([policy]);
  expect([...files.keys()]).toEqual([`${policy.name}.yaml`]);
  return parseAllDocuments(files.get(`${policy.name}.yaml`) ?? "").map((d) => d.toJS());
}

describe("emitVap", () => {
  it("writes a policy and its binding in one file", () => {
    const [policy, binding, ...rest] = documents(base);
    expect(rest).toEqual([]);
    expect(policy.apiVersion).toBe("admissionregistration.k8s.io/v1");
    expect(policy.kind).toBe("ValidatingAdmissionPolicy");
    expect(binding.apiVersion).toBe("admissionregistration.k8s.io/v1");
    expect(binding.kind).toBe("ValidatingAdmissionPolicyBinding");
    expect(binding.metadata.name).toBe("no-privileged-binding");
    expect(binding.spec.policyName).toBe(policy.metadata.name);
  });

  it.each([
    { note: "deny", enforcement: "deny", actions: ["Deny"] },
    { note: "warn", enforcement: "warn", actions: ["Warn"] },
    { note: "audit", enforcement: "audit", actions: ["Audit"] },
  ] as const)("binds $note as validationActions $actions", ({ enforcement, actions }) => {
    const [, binding] = documents({ ...base, enforcement });
    expect(binding.spec.validationActions).toEqual(actions);
  });

  it("fails closed, inlines parameters and needs no params object", () => {
    const [policy, binding] = documents(base);
    expect(policy.spec.failurePolicy).toBe("Fail");
    expect(policy.spec.paramKind).toBeUndefined();
    expect(binding.spec.paramRef).toBeUndefined();
  });

  it("validations carry expression, messageExpression, a one-line message and reason Forbidden", () => {
    const [policy] = documents({
      ...base,
      rules: base.rules.map((rule) => ({
        ...rule,
        message: { template: "two\nlines", parts: [{ kind: "text", text: "two\nlines" }] },
      })),
    });
    expect(policy.spec.validations).toHaveLength(1);
    const [validation] = policy.spec.validations;
    expect(typeof validation.expression).toBe("string");
    expect(typeof validation.messageExpression).toBe("string");
    expect(validation.message).not.toMatch(/[\r\n]/);
    expect(validation.reason).toBe("Forbidden");
  });

  it("writes the static message as readable text: each {{hole}} as <word>", () => {
    const template = "container {{c.name}} uses {{c.image ?? 'none'}}";
    const name = { kind: "ref", root: { kind: "var", name: "c" }, path: ["name"] } as const;
    const image = { kind: "ref", root: { kind: "var", name: "c" }, path: ["image"] } as const;
    const [policy] = documents({
      ...base,
      rules: base.rules.map((rule) => ({
        ...rule,
        message: {
          template,
          parts: [
            { kind: "text", text: "container " },
            { kind: "hole", expr: name, source: "c.name" },
            { kind: "text", text: " uses " },
            {
              kind: "hole",
              expr: { kind: "default", value: image, fallback: { kind: "literal", value: "none" } },
              source: "c.image ?? 'none'",
            },
          ],
        },
      })),
    });
    expect(policy.spec.validations[0].message).toBe("container <name> uses <image>");
  });

  it("no static message of the library holds a template hole", async () => {
    const { default: library } = await import("../../../../policies/index.js");
    for (const file of emitVap(policiesFor(library, "vap")).values()) {
      for (const document of parseAllDocuments(file).map((d) => d.toJS())) {
        for (const validation of document.spec.validations ?? []) {
          expect(validation.message, validation.messageExpression).not.toMatch(/\{\{|\}\}/);
          expect(validation.message).not.toBe("");
        }
      }
    }
  });

  it("matches the listed kinds with their resources and groups", () => {
    const [policy] = documents({
      ...base,
      match: {
        subject: "kinds",
        kinds: [
          { group: "networking.k8s.io", kind: "NetworkPolicy" },
          { group: "", kind: "Service" },
          { group: "networking.k8s.io", kind: "Ingress" },
          { group: "example.com", kind: "Policy" },
        ],
      },
      rules: [objectRule],
    });
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      {
        apiGroups: ["networking.k8s.io"],
        apiVersions: ["v1"],
        operations: ["CREATE", "UPDATE"],
        resources: ["networkpolicies", "ingresses"],
      },
      {
        apiGroups: [""],
        apiVersions: ["v1"],
        operations: ["CREATE", "UPDATE"],
        resources: ["services"],
      },
      {
        apiGroups: ["example.com"],
        apiVersions: ["*"],
        operations: ["CREATE", "UPDATE"],
        resources: ["policies"],
      },
    ]);
  });

  it.each([
    { note: "Pods and controllers", match: { subject: "pod", controllers: true } },
    { note: "Pods only", match: { subject: "pod", controllers: false } },
    {
      note: "kinds listing the core Pod",
      match: {
        subject: "kinds",
        kinds: [
          { group: "", kind: "Service" },
          { group: "", kind: "Pod" },
        ],
      },
    },
  ] as const)("names pods/ephemeralcontainers and pods/resize for $note", ({ match }) => {
    const [policy] = documents({ ...base, match });
    const core = policy.spec.matchConstraints.resourceRules.find(
      (rule: { apiGroups: string[] }) => rule.apiGroups[0] === "",
    );
    expect(core.resources).toEqual(
      expect.arrayContaining(["pods", "pods/ephemeralcontainers", "pods/resize"]),
    );
    // kubectl debug PATCHes the subresource: an UPDATE.
    expect(core.operations).toContain("UPDATE");
  });

  it("names no subresource for kinds without the core Pod", () => {
    const [policy] = documents({
      ...base,
      match: {
        subject: "kinds",
        kinds: [
          { group: "example.com", kind: "Pod" },
          { group: "", kind: "Service" },
        ],
      },
      rules: [objectRule],
    });
    const resources = policy.spec.matchConstraints.resourceRules.flatMap(
      (rule: { resources: string[] }) => rule.resources,
    );
    expect(resources).toEqual(["pods", "services"]);
  });

  it("filters namespaces natively, except for a policy on Namespaces themselves", () => {
    const namespaces = { exclude: ["kube-system"] };
    const [pods] = documents({ ...base, match: { subject: "pod", controllers: true, namespaces } });
    expect(pods.spec.matchConstraints.namespaceSelector).toEqual({
      matchExpressions: [
        { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"] },
      ],
    });
    const [onNamespaces] = documents({
      ...base,
      match: { subject: "kinds", kinds: [{ group: "", kind: "Namespace" }], namespaces },
      rules: [objectRule],
    }).slice(0, 1);
    expect(onNamespaces.spec.matchConstraints.namespaceSelector).toBeUndefined();
  });

  it("leaves the system namespaces out in each binding's namespaceSelector, not in the policy", () => {
    const systemNamespaces = ["kube-system", "kube-public"];
    const files = emitVap([base], { systemNamespaces });
    const [policy, binding] = parseAllDocuments(files.get("no-privileged.yaml") ?? "").map((d) =>
      d.toJS(),
    );
    expect(binding.spec.matchResources).toEqual({
      namespaceSelector: {
        matchExpressions: [
          {
            key: "kubernetes.io/metadata.name",
            operator: "NotIn",
            values: ["kube-system", "kube-public"],
          },
        ],
      },
    });
    // The binding names no resourceRules: it narrows the policy's, it does not widen them.
    expect(binding.spec.matchResources.resourceRules).toBeUndefined();
    expect(policy.spec.matchConstraints.namespaceSelector).toBeUndefined();
    // A policy on Namespaces gets it too: the API server reads a Namespace by its own labels.
    const onNamespaces = {
      ...base,
      match: { subject: "kinds" as const, kinds: [{ group: "", kind: "Namespace" }] },
      rules: [objectRule],
    };
    const [, nsBinding] = parseAllDocuments(
      emitVap([onNamespaces], { systemNamespaces }).get("no-privileged.yaml") ?? "",
    ).map((d) => d.toJS());
    expect(nsBinding.spec.matchResources.namespaceSelector.matchExpressions).toEqual([
      {
        key: "kubernetes.io/metadata.name",
        operator: "NotIn",
        values: ["kube-system", "kube-public"],
      },
    ]);
    // None: no matchResources at all (the output of before).
    const [, plain] = documents(base);
    expect(plain.spec.matchResources).toBeUndefined();
  });

  it.each([["Kube-System"], ["kube_system"], [""]])("refuses the system namespace %j", (name) => {
    expect(() => emitVap([base], { systemNamespaces: [name] })).toThrow(/not a namespace name/);
  });

  it("rejects a namespace filter naming no possible namespace", () => {
    const bad = {
      ...base,
      match: {
        subject: "pod" as const,
        controllers: true,
        namespaces: { exclude: ["Kube System"] },
      },
    };
    expect(() => emitVap([bad])).toThrow(/"Kube System" is not a namespace name/);
  });

  it("is deterministic and rejects duplicate names", () => {
    const other = { ...base, name: "a-first" };
    expect([...emitVap([base, other])]).toEqual([...emitVap([other, base])]);
    expect([...emitVap([base, other]).keys()]).toEqual(["a-first.yaml", "no-privileged.yaml"]);
    expect(() => emitVap([base, base])).toThrow(CharterError);
  });

  it("keeps hostile strings exact in annotations", () => {
    const hostile = `"q" \\ {{ x }} $(y) \n- : # ünï 😀 '`;
    const [policy] = documents({ ...base, title: hostile, description: hostile });
    expect(policy.metadata.annotations["charter.dev/title"]).toBe(hostile);
    expect(policy.metadata.annotations["charter.dev/description"]).toBe(hostile);
  });
});
