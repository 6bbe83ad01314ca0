/**
 * The CEL targets and cross-resource IR: the `namespace` root reads `namespaceObject` (VAP,
 * Kyverno ValidatingPolicy and ClusterPolicy), guarded so a null one never denies; only the
 * fields the API server binds may be read; Gatekeeper's CEL engine and `inventory(…)` are
 * compile errors naming the policy, the rule and the target. Semantics are proven on the
 * Kubernetes judge in packages/runtime/src/cel-judge-engine/cross-resource.test.ts.
 */
import { CharterError, type Expr, type Policy, type Segment } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { emitCelPolicy } from "./cel/policy-emitter.js";
import { celSource } from "./gatekeeper/cel-source.js";
import { kyvernoDocument } from "./kyverno/emit-kyverno.js";
import { vapDocuments } from "./vap/emit-vap.js";
import { toYaml } from "./yaml.js";

const ns = (...path: Segment[]): Expr => ({ kind: "ref", root: { kind: "namespace" }, path });

function policyWith(condition: Expr, name = "ns-policy"): Policy {
  return {
    name,
    title: name,
    description: "",
    severity: "high",
    category: "test",
    controls: [],
    enforcement: "deny",
    match: { subject: "kinds", kinds: [{ group: "", kind: "ConfigMap" }] },
    parameters: { schema: { type: "object" }, values: {} },
    rules: [
      {
        name: "team",
        condition,
        message: { template: "no team", parts: [{ kind: "text", text: "no team" }] },
      },
    ],
    cases: [],
  } as unknown as Policy;
}

const noTeam = policyWith({
  kind: "not",
  arg: { kind: "exists", arg: ns("metadata", "labels", "team") },
});
const listing = policyWith(
  {
    kind: "quantifier",
    quantifier: "any",
    variable: "np",
    collection: {
      kind: "inventory",
      apiVersion: "networking.k8s.io/v1",
      resource: "NetworkPolicy",
      namespace: { kind: "ref", root: { kind: "object" }, path: ["metadata", "namespace"] },
    },
    body: { kind: "literal", value: true },
  },
  "lists-netpols",
);

describe("the namespace root in CEL", () => {
  it("reads namespaceObject and holds when it is null", () => {
    const [validation] = emitCelPolicy(noTeam, { params: "inline", object: "object" }).validations;
    expect(validation?.expression).toMatch(/^namespaceObject == null \|\| /);
    expect(validation?.expression).toContain("has(dyn(namespaceObject).metadata.labels.team)");
  });

  it("guards only the rules that read the Namespace", () => {
    const cel = emitCelPolicy(
      {
        ...noTeam,
        rules: [
          ...noTeam.rules,
          {
            ...(noTeam.rules[0] as Policy["rules"][number]),
            name: "plain",
            condition: { kind: "literal", value: false },
          },
        ],
      },
      { params: "inline", object: "object" },
    );
    expect(cel.validations.map((v) => v.expression.startsWith("namespaceObject == null"))).toEqual([
      true,
      false,
    ]);
  });

  it("is written into VAP and both Kyverno APIs", () => {
    const targets = [
      vapDocuments(noTeam),
      [kyvernoDocument(noTeam, "validatingpolicy")],
      [kyvernoDocument(noTeam, "clusterpolicy")],
    ];
    for (const documents of targets) {
      expect(toYaml(documents)).toContain("namespaceObject == null ||");
    }
  });

  it.each([
    [["kind"]],
    [["apiVersion"]],
    [["metadata"]],
    [["metadata", "ownerReferences"]],
    [["metadata", "creationTimestamp"]],
    [["spec"]],
    [["status", "conditions"]],
    [[]],
  ] as Segment[][][])("refuses namespace.%s, which the server does not bind", (path) => {
    const policy = policyWith({ kind: "exists", arg: ns(...path) });
    const emit = () => emitCelPolicy(policy, { params: "inline", object: "object", target: "vap" });
    expect(emit).toThrow(CharterError);
    expect(emit).toThrow(/policy "ns-policy", rule "team": .*does not give CEL.*target "vap"/);
  });

  it.each([
    [["metadata", "name"]],
    [["metadata", "labels", "a.b/c"]],
    [["metadata", "annotations"]],
    [["spec", "finalizers", 0]],
    [["status", "phase"]],
  ] as Segment[][][])("allows namespace.%s", (path) => {
    const policy = policyWith({ kind: "exists", arg: ns(...path) });
    expect(() => emitCelPolicy(policy, { params: "inline", object: "object" })).not.toThrow();
  });

  it("is a compile error on Gatekeeper's CEL engine, which binds no namespaceObject", () => {
    expect(() => celSource(noTeam)).toThrow(CharterError);
    expect(() => celSource(noTeam)).toThrow(
      /policy "ns-policy", rule "team": .*namespaceObject.*Rego engine.*target "gatekeeper"/,
    );
  });
});

describe("inventory(…) on the CEL targets", () => {
  const targets: Record<string, () => unknown> = {
    cel: () => emitCelPolicy(listing, { params: "inline", object: "object" }),
    vap: () => vapDocuments(listing),
    "kyverno validatingpolicy": () => kyvernoDocument(listing, "validatingpolicy"),
    "kyverno clusterpolicy": () => kyvernoDocument(listing, "clusterpolicy"),
    "gatekeeper cel": () => celSource(listing),
  };

  it.each(Object.keys(targets))("%s: a compile error naming policy, rule and why", (target) => {
    const emit = targets[target] as () => unknown;
    expect(emit).toThrow(CharterError);
    expect(emit).toThrow(
      /policy "lists-netpols", rule "team": it needs the cluster inventory \(inventory\(\.\.\.\)\); CEL admission cannot list other objects — use the Gatekeeper Rego engine or an offline scan; target "/,
    );
  });

  it("is refused in a message hole too", () => {
    const policy = policyWith({ kind: "literal", value: true });
    const rule = policy.rules[0] as Policy["rules"][number];
    const withHole = {
      ...policy,
      rules: [
        {
          ...rule,
          message: {
            template: "{{x}}",
            parts: [
              {
                kind: "hole",
                expr: { kind: "inventory", apiVersion: "v1", resource: "Namespace" },
              },
            ],
          },
        },
      ],
    } as unknown as Policy;
    expect(() => emitCelPolicy(withHole, { params: "inline", object: "object" })).toThrow(
      /needs the cluster inventory/,
    );
  });
});
