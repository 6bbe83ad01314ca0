import { CharterError, type Policy } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { policiesFor } from "../targets/compile-targets.js";
import { emitKyverno } from "./emit-kyverno.js";
import { escapeKyvernoCel } from "./escape.js";

const base: Policy = {
  name: "no-host-network",
  title: "Pods do not use the host network",
  description: "Sharing the node's network exposes its services.",
  severity: "high",
  category: "Pod Security Standards (Baseline)",
  controls: ["pss:baseline:hostNamespaces", "cis:5.2.4"],
  enforcement: "deny",
  match: { subject: "pod", controllers: true },
  parameters: { schema: { type: "object", properties: {} }, values: {} },
  rules: [
    {
      name: "hostNetwork",
      condition: {
        kind: "compare",
        op: "==",
        left: { kind: "ref", root: { kind: "pod" }, path: ["spec", "hostNetwork"] },
        right: { kind: "literal", value: true },
      },
      message: { template: "host network", parts: [{ kind: "text", text: "host network" }] },
    },
    {
      name: "hostPID",
      condition: {
        kind: "compare",
        op: "==",
        left: { kind: "ref", root: { kind: "pod" }, path: ["spec", "hostPID"] },
        right: { kind: "literal", value: true },
      },
      message: { template: "host PID", parts: [{ kind: "text", text: "host PID" }] },
    },
  ],
  cases: [],
};

// biome-ignore lint/suspicious/noExplicitAny: reading emitted YAML back
function documents(files: Map<string, string>, path = "no-host-network.yaml"): any[] {
  const text = files.get(path);
  if (text === undefined) throw new Error(`no ${path} in ${[...files.keys()].join(", ")}`);
  return parseAllDocuments(text).map((document) => document.toJS());
}

const ENFORCEMENT = [
  {
    note: "deny",
    enforcement: "deny",
    actions: ["Deny"],
    failureAction: "Enforce",
    warn: undefined,
  },
  { note: "warn", enforcement: "warn", actions: ["Warn"], failureAction: "Audit", warn: true },
  {
    note: "audit",
    enforcement: "audit",
    actions: ["Audit"],
    failureAction: "Audit",
    warn: undefined,
  },
] as const;

describe("ValidatingPolicy (default)", () => {
  it("is a policies.kyverno.io/v1 ValidatingPolicy, one file per policy", () => {
    const files = emitKyverno([base]);
    expect([...files.keys()]).toEqual(["no-host-network.yaml"]);
    const [policy, ...rest] = documents(files);
    expect(rest).toEqual([]);
    expect(policy.apiVersion).toBe("policies.kyverno.io/v1");
    expect(policy.kind).toBe("ValidatingPolicy");
    expect(policy.metadata.name).toBe("no-host-network");
    expect(policy.spec.failurePolicy).toBe("Fail");
  });

  it.each(ENFORCEMENT)("maps $note to validationActions", ({ enforcement, actions }) => {
    const [policy] = documents(emitKyverno([{ ...base, enforcement }]));
    expect(policy.spec.validationActions).toEqual(actions);
  });

  it("evaluates in the background and switches autogen off", () => {
    const [policy] = documents(emitKyverno([base]));
    expect(policy.spec.evaluation).toEqual({
      admission: { enabled: true },
      background: { enabled: true },
    });
    expect(policy.spec.autogen).toEqual({ podControllers: { controllers: [] } });
  });

  it("matches Pods (and the subresources that change their spec) and every pod controller explicitly, on CREATE and UPDATE", () => {
    const [policy] = documents(emitKyverno([base]));
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      {
        apiGroups: [""],
        apiVersions: ["v1"],
        operations: ["CREATE", "UPDATE"],
        resources: ["pods", "pods/ephemeralcontainers", "pods/resize", "replicationcontrollers"],
      },
      {
        apiGroups: ["apps"],
        apiVersions: ["v1"],
        operations: ["CREATE", "UPDATE"],
        resources: ["deployments", "replicasets", "statefulsets", "daemonsets"],
      },
      {
        apiGroups: ["batch"],
        apiVersions: ["v1"],
        operations: ["CREATE", "UPDATE"],
        resources: ["jobs", "cronjobs"],
      },
    ]);
  });

  it("matches only Pods when the policy opts out of controllers", () => {
    const [policy] = documents(
      emitKyverno([{ ...base, match: { subject: "pod", controllers: false } }]),
    );
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      {
        apiGroups: [""],
        apiVersions: ["v1"],
        operations: ["CREATE", "UPDATE"],
        resources: ["pods", "pods/ephemeralcontainers", "pods/resize"],
      },
    ]);
    // One rule for pods is exactly what Kyverno would autogen from: it must stay off.
    expect(policy.spec.autogen.podControllers.controllers).toEqual([]);
  });

  it("filters namespaces with a selector on kubernetes.io/metadata.name", () => {
    const [policy] = documents(
      emitKyverno([
        {
          ...base,
          match: {
            subject: "pod",
            controllers: true,
            namespaces: { include: ["team-a"], exclude: ["kube-system"] },
          },
        },
      ]),
    );
    expect(policy.spec.matchConstraints.namespaceSelector).toEqual({
      matchExpressions: [
        { key: "kubernetes.io/metadata.name", operator: "In", values: ["team-a"] },
        { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"] },
      ],
    });
  });

  it("leaves the system namespaces out in matchConstraints.namespaceSelector, after the policy's own filter", () => {
    const systemNamespaces = ["kube-system", "kube-public"];
    const [plain] = documents(emitKyverno([base], { systemNamespaces }));
    expect(plain.spec.matchConstraints.namespaceSelector).toEqual({
      matchExpressions: [
        {
          key: "kubernetes.io/metadata.name",
          operator: "NotIn",
          values: ["kube-system", "kube-public"],
        },
      ],
    });
    const filtered = {
      ...base,
      match: {
        subject: "pod" as const,
        controllers: true,
        namespaces: { include: ["team-a"] },
      },
    };
    const [both] = documents(emitKyverno([filtered], { systemNamespaces }));
    expect(both.spec.matchConstraints.namespaceSelector.matchExpressions).toEqual([
      { key: "kubernetes.io/metadata.name", operator: "In", values: ["team-a"] },
      {
        key: "kubernetes.io/metadata.name",
        operator: "NotIn",
        values: ["kube-system", "kube-public"],
      },
    ]);
    const [none] = documents(emitKyverno([base]));
    expect(none.spec.matchConstraints.namespaceSelector).toBeUndefined();
  });

  it("has one validation per rule, with expression, messageExpression and reason", () => {
    const [policy] = documents(emitKyverno([base]));
    expect(policy.spec.validations).toHaveLength(2);
    for (const validation of policy.spec.validations) {
      expect(Object.keys(validation).sort()).toEqual(
        ["expression", "message", "messageExpression", "reason"].sort(),
      );
      expect(validation.reason).toBe("Forbidden");
    }
  });

  it("carries the standard annotations and the controls", () => {
    const [policy] = documents(emitKyverno([base]));
    expect(policy.metadata.annotations).toMatchObject({
      "policies.kyverno.io/title": base.title,
      "policies.kyverno.io/category": base.category,
      "policies.kyverno.io/severity": "high",
      "policies.kyverno.io/description": base.description,
      "charter.dev/controls": "pss:baseline:hostNamespaces,cis:5.2.4",
    });
  });
});

describe("ClusterPolicy (api: clusterpolicy)", () => {
  const emit = (policy: Policy) => documents(emitKyverno([policy], { api: "clusterpolicy" }));

  it("is a kyverno.io/v1 ClusterPolicy with one CEL rule per IR rule", () => {
    const [policy] = emit(base);
    expect(policy.apiVersion).toBe("kyverno.io/v1");
    expect(policy.kind).toBe("ClusterPolicy");
    expect(policy.spec.background).toBe(true);
    expect(policy.spec.rules.map((rule: { name: string }) => rule.name)).toEqual([
      "hostNetwork",
      "hostPID",
    ]);
    for (const rule of policy.spec.rules) {
      expect(rule.validate.cel.expressions).toHaveLength(1);
      expect(rule.validate.message).toBeUndefined();
    }
  });

  it.each(ENFORCEMENT)(
    "maps $note to a per-rule failureAction, never the spec-level field",
    ({ enforcement, failureAction, warn }) => {
      const [policy] = emit({ ...base, enforcement });
      for (const rule of policy.spec.rules) expect(rule.validate.failureAction).toBe(failureAction);
      expect(policy.spec.validationFailureAction).toBeUndefined();
      expect(policy.spec.emitWarning).toBe(warn);
    },
  );

  it("lists the pod controllers as kinds and turns autogen off", () => {
    const [policy] = emit(base);
    expect(policy.metadata.annotations["pod-policies.kyverno.io/autogen-controllers"]).toBe("none");
    expect(policy.spec.rules[0].match).toEqual({
      any: [
        {
          resources: {
            kinds: [
              "Pod",
              "apps/v1/Deployment",
              "apps/v1/ReplicaSet",
              "ReplicationController",
              "apps/v1/StatefulSet",
              "apps/v1/DaemonSet",
              "batch/v1/Job",
              "batch/v1/CronJob",
            ],
            operations: ["CREATE", "UPDATE"],
          },
        },
      ],
    });
  });

  it("writes namespace filters natively when Kyverno reads them as the IR does", () => {
    const [policy] = emit({
      ...base,
      match: {
        subject: "pod",
        controllers: false,
        namespaces: { include: ["team-a"], exclude: ["kube-system"] },
      },
    });
    const [rule] = policy.spec.rules;
    expect(rule.match.any[0].resources.namespaces).toEqual(["team-a"]);
    expect(rule.exclude).toEqual({
      any: [{ resources: { kinds: ["Pod"], namespaces: ["kube-system"] } }],
    });
  });

  it("excludes the system namespaces in every rule, Namespaces by their own name too", () => {
    const systemNamespaces = ["kube-system", "kube-public"];
    const [policy] = documents(emitKyverno([base], { api: "clusterpolicy", systemNamespaces }));
    for (const rule of policy.spec.rules) {
      expect(rule.exclude).toEqual({
        any: [
          {
            resources: {
              kinds: rule.match.any[0].resources.kinds,
              namespaces: ["kube-system", "kube-public"],
            },
          },
        ],
      });
    }
    const onNamespaces = {
      ...base,
      match: {
        subject: "kinds" as const,
        kinds: [{ group: "", kind: "Namespace" }],
        namespaces: { exclude: ["team-a"] },
      },
    };
    const [ns] = documents(emitKyverno([onNamespaces], { api: "clusterpolicy", systemNamespaces }));
    // The policy's own filter stays in CEL (a Namespace has no namespace); the system one is native.
    expect(ns.spec.rules[0].exclude).toEqual({
      any: [{ resources: { kinds: ["Namespace"], namespaces: ["kube-system", "kube-public"] } }],
    });
    const [none] = documents(emitKyverno([base], { api: "clusterpolicy" }));
    expect(none.spec.rules[0].exclude).toBeUndefined();
  });

  it("leaves an include list to CEL when a kind may be cluster-scoped", () => {
    const [withRule] = emit({
      ...base,
      match: {
        subject: "kinds",
        kinds: [{ group: "example.com", kind: "Widget" }],
        namespaces: { include: ["team-a"] },
      },
      rules: [
        {
          name: "named",
          condition: {
            kind: "compare",
            op: "==",
            left: { kind: "ref", root: { kind: "object" }, path: ["metadata", "name"] },
            right: { kind: "literal", value: "x" },
          },
          message: { template: "named x", parts: [{ kind: "text", text: "named x" }] },
        },
      ],
    });
    expect(withRule.spec.rules[0].match.any[0].resources).toEqual({
      kinds: ["example.com/*/Widget"],
      operations: ["CREATE", "UPDATE"],
    });
  });
});

describe("every API", () => {
  it.each(["validatingpolicy", "clusterpolicy"] as const)(
    "%s: output is deterministic and independent of input order",
    (api) => {
      const other = { ...base, name: "another-policy" };
      const one = emitKyverno([base, other], { api });
      const two = emitKyverno([other, base], { api });
      expect([...one.keys()]).toEqual(["another-policy.yaml", "no-host-network.yaml"]);
      expect([...two]).toEqual([...one]);
    },
  );

  it.each(["validatingpolicy", "clusterpolicy"] as const)(
    "%s: every static message of the library is readable text, no {{hole}} left",
    async (api) => {
      const { default: library } = await import("../../../../policies/index.js");
      let messages = 0;
      for (const [path, text] of emitKyverno(policiesFor(library, "kyverno"), { api })) {
        for (const document of documents(new Map([[path, text]]), path)) {
          const validations =
            api === "validatingpolicy"
              ? (document.spec.validations ?? [])
              : // biome-ignore lint/suspicious/noExplicitAny: reading emitted YAML back
                (document.spec.rules ?? []).flatMap((rule: any) => rule.validate.cel.expressions);
          for (const validation of validations) {
            messages++;
            expect(validation.message, validation.messageExpression).toBeTypeOf("string");
            expect(validation.message).not.toMatch(/\{\{|\}\}/);
          }
        }
      }
      expect(messages).toBeGreaterThan(50);
    },
  );

  it.each(["validatingpolicy", "clusterpolicy"] as const)(
    "%s: rejects a policy without rules",
    (api) => {
      expect(() => emitKyverno([{ ...base, rules: [] }], { api })).toThrow(/no rules/);
    },
  );

  it("rejects two policies with one name", () => {
    expect(() => emitKyverno([base, base])).toThrow(CharterError);
  });

  it("rejects an unknown API with a CharterError", () => {
    // biome-ignore lint/suspicious/noExplicitAny: a caller outside TypeScript
    expect(() => emitKyverno([base], { api: "policy" as any })).toThrow(/unknown Kyverno API/);
  });

  it.each(["validatingpolicy", "clusterpolicy"] as const)(
    "%s: hostile titles and descriptions survive exactly",
    (api) => {
      const hostile = `a "quoted" \\ back\nslash {{ request.object }} $(rm -rf) - [x]: #y ünï 😀`;
      const [policy] = documents(
        emitKyverno([{ ...base, title: hostile, description: hostile, category: hostile }], {
          api,
        }),
      );
      expect(policy.metadata.annotations["policies.kyverno.io/title"]).toBe(hostile);
      expect(policy.metadata.annotations["policies.kyverno.io/description"]).toBe(hostile);
      expect(policy.metadata.annotations["policies.kyverno.io/category"]).toBe(hostile);
    },
  );
});

describe("ClusterPolicy and Kyverno's JMESPath", () => {
  it("escapes {{ in CEL string literals so Kyverno substitutes nothing", () => {
    expect(escapeKyvernoCel('"a {{ b }} c"')).toBe('"a {\\x7B b }} c"');
    expect(escapeKyvernoCel('"\\\\{{"')).toBe('"\\\\{\\x7B"');
    // Kyverno's references `$( … )` too: `$` as CEL's `\x24`.
    expect(escapeKyvernoCel('"a $(b) \\\\$(c)"')).toBe('"a \\x24(b) \\\\\\x24(c)"');
  });

  it("leaves no {{ anywhere in a ClusterPolicy rule, and the static message out when it has one", () => {
    const template = "container {{c.name}} uses {{ request.object }}";
    const hostile: Policy = {
      ...base,
      rules: base.rules.map((rule) => ({
        ...rule,
        message: { template, parts: [{ kind: "text", text: template }] },
      })),
    };
    const [policy] = documents(emitKyverno([hostile], { api: "clusterpolicy" }));
    expect(JSON.stringify(policy.spec.rules)).not.toContain("{{");
    for (const rule of policy.spec.rules) {
      expect(rule.validate.cel.expressions[0].message).toBeUndefined();
      expect(rule.validate.cel.expressions[0].messageExpression).toContain("{\\x7B");
    }
    // ValidatingPolicy has no JMESPath: its CEL is left as the CEL emitter wrote it.
    const [validating] = documents(emitKyverno([hostile]));
    expect(validating.spec.validations[0].message).toBe(template);
  });
});
