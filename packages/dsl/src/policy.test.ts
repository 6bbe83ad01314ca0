import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CharterError, type Policy, validatePolicySet } from "@charter/ir";
import { describe, expect, it } from "vitest";
import { any, kinds, pod, resource } from "./builder.js";
import { fromYaml, podWith } from "./cases.js";
import { boolean, integer, list, number, object, string } from "./params.js";
import { type PolicySpec, policy } from "./policy.js";
import { when } from "./when.js";

const FILE = fileURLToPath(import.meta.url);
const self = readFileSync(FILE, "utf8").split("\n");
const lineOf = (marker: string): number => self.findIndex((line) => line.includes(marker)) + 1;

function errorOf(run: () => unknown): CharterError {
  try {
    run();
  } catch (error) {
    if (error instanceof CharterError) return error;
    throw error;
  }
  throw new Error("expected a CharterError");
}

const base = (): PolicySpec => ({
  title: "Images come from approved registries",
  severity: "high",
  category: "Supply chain",
  controls: ["nsa:pod-security:secure-images"],
  match: pod,
  params: { allowed: list(string()).default(["registry.example.com/"]) },
  rules: {
    registry: {
      fail: when`any c in pod.containers: not any r in params.allowed: c.image startsWith r`,
      message: "image {{c.image}} of container {{ c.name }} is not from an approved registry",
    },
  },
});

describe("policy()", () => {
  it("returns valid, frozen IR with defaults and its source", () => {
    const p = policy("restrict-image-registries", base()); // MARK-POLICY
    expect(() => validatePolicySet({ irVersion: 1, policies: [p] })).not.toThrow();
    expect(p.source).toEqual({ file: FILE, line: lineOf("MARK-POLICY") });
    expect(p.enforcement).toBe("deny");
    expect(p.description).toBe("");
    expect(p.match).toEqual({ subject: "pod", controllers: true });
    expect(p.parameters).toEqual({
      schema: {
        type: "object",
        properties: {
          allowed: { type: "array", items: { type: "string" }, default: ["registry.example.com/"] },
        },
        additionalProperties: false,
      },
      values: { allowed: ["registry.example.com/"] },
    });
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.rules[0]?.condition)).toBe(true);
    expect(() => {
      (p.rules as unknown[]).push(1);
    }).toThrow(TypeError);
  });

  it("lowers the message holes", () => {
    const p = policy("restrict-image-registries", base());
    expect(p.rules[0]?.message).toEqual({
      template: "image {{c.image}} of container {{ c.name }} is not from an approved registry",
      parts: [
        { kind: "text", text: "image " },
        {
          kind: "hole",
          expr: { kind: "ref", root: { kind: "var", name: "c" }, path: ["image"] },
          source: "c.image",
        },
        { kind: "text", text: " of container " },
        {
          kind: "hole",
          expr: { kind: "ref", root: { kind: "var", name: "c" }, path: ["name"] },
          source: "c.name",
        },
        { kind: "text", text: " is not from an approved registry" },
      ],
    });
  });

  it("records the match, namespaces and parameter kinds", () => {
    const p = policy("services", {
      title: "Services",
      severity: "low",
      category: "Network",
      match: kinds("v1/Service"),
      namespaces: { exclude: ["kube-system"] },
      enforcement: "audit",
      params: {
        ports: list(integer()).describe("allowed ports").default([80]),
        ratio: number().default(0.5),
        strict: boolean().default(false),
        limits: object({ max: integer().default(3) }).default({ max: 3 }),
      },
      rules: {
        nodePort: {
          fail: when`object.spec.type == "NodePort" and not object.spec.ports[0].port in params.ports`,
          message: "service {{object.metadata.name}} uses a NodePort",
          remediation: "Use a LoadBalancer.",
        },
      },
    });
    expect(p.match).toEqual({
      subject: "kinds",
      kinds: [{ group: "", kind: "Service" }],
      namespaces: { exclude: ["kube-system"] },
    });
    expect(p.parameters.values).toEqual({
      ports: [80],
      ratio: 0.5,
      strict: false,
      limits: { max: 3 },
    });
    expect(p.parameters.schema.properties).toMatchObject({
      ports: {
        type: "array",
        items: { type: "integer" },
        description: "allowed ports",
        default: [80],
      },
      limits: {
        type: "object",
        properties: { max: { type: "integer", default: 3 } },
        additionalProperties: false,
      },
    });
    expect(p.rules[0]?.remediation).toBe("Use a LoadBalancer.");
    expect(() => validatePolicySet({ irVersion: 1, policies: [p] })).not.toThrow();
  });

  it("accepts builder conditions", () => {
    const p = policy("no-privileged", {
      ...base(),
      params: {},
      rules: {
        privileged: {
          fail: any("c", pod.containers, (c) => c.at("securityContext.privileged").eq(true)),
          message: "container {{c.name}} is privileged",
        },
      },
    });
    expect(p.rules[0]?.condition).toEqual(
      when`any c in pod.containers: c.securityContext.privileged == true`.toIR(),
    );
  });
});

describe("policy() errors", () => {
  it.each([
    {
      note: "bad name",
      name: "Bad_Name",
      spec: {},
      message: 'policy name "Bad_Name" is not valid',
    },
    {
      note: "unknown key",
      spec: { severty: "high" },
      message: 'policy "p": the policy has an unknown key `severty`; did you mean `severity`?',
    },
    {
      note: "bad severity",
      spec: { severity: "urgent" },
      message:
        'policy "p": severity must be one of critical, high, medium, low, info, not "urgent"',
    },
    {
      note: "bad enforcement",
      spec: { enforcement: "block" },
      message: 'policy "p": enforcement must be one of deny, warn, audit, not "block"',
    },
    {
      note: "missing category",
      spec: { category: undefined },
      message: 'policy "p": category must be a string',
    },
    {
      note: "missing title",
      spec: { title: "" },
      message: 'policy "p": title must be a non-empty string',
    },
    {
      note: "controls not strings",
      spec: { controls: [1] },
      message: 'policy "p": controls must be a list of strings',
    },
    {
      note: "bad match",
      spec: { match: "pod" },
      message: 'policy "p": match must be `pod`, `pod.only` or `kinds(…)`',
    },
    {
      note: "no rules",
      spec: { rules: {} },
      message: 'policy "p": a policy needs at least one rule under `rules` (or `images`)',
    },
    {
      note: "bad default",
      spec: { params: { allowed: list(string()).default([1] as never) } },
      message:
        'policy "p": a parameter default does not fit its schema: params.allowed.0 must be string',
    },
    {
      note: "rule without condition",
      spec: { rules: { r: { fail: "x", message: "m" } } },
      message: 'policy "p", rule "r": `fail` must be a condition: when`…` or a builder expression',
    },
  ])("$note", ({ name, spec, message }) => {
    const error = errorOf(() => policy(name ?? "p", { ...base(), ...spec } as PolicySpec));
    expect(error.message).toBe(message);
    expect(error.location.file).toBe(FILE);
  });

  it("a syntax error names the policy, the rule and the template position", () => {
    const spec = {
      ...base(),
      rules: {
        registry: {
          fail: when`any c in pod.containers: c.image startsWith`, // MARK-RULE-SYNTAX
          message: "x",
        },
      },
    };
    const error = errorOf(() => policy("restrict-image-registries", spec));
    const line = lineOf("MARK-RULE-SYNTAX");
    expect(error.message).toBe(
      'policy "restrict-image-registries", rule "registry": expected a value (a path, a literal, a list, `(`, `exists(…)`, `len(…)`, `keys(…)` or `inventory(…)`) but found the end of the condition',
    );
    expect(error.location).toEqual({
      file: FILE,
      line,
      column: (self[line - 1] as string).indexOf("`,") + 1,
    });
  });

  it("an unknown parameter is an error", () => {
    const spec = {
      ...base(),
      rules: { r: { fail: when`object.a in params.allowd`, message: "m" } },
    };
    expect(errorOf(() => policy("p", { ...spec, match: kinds("v1/Service") })).message).toBe(
      'policy "p", rule "r": unknown parameter `allowd`; did you mean `allowed`?',
    );
  });

  it("pod paths need match: pod", () => {
    const spec = { ...base(), match: kinds("v1/Service") };
    expect(errorOf(() => policy("p", spec)).message).toBe(
      'policy "p", rule "registry": `pod` paths need `match: pod`; this policy matches kinds',
    );
  });

  it("a message hole may use only the witness variables", () => {
    const spec = {
      ...base(),
      rules: {
        r: {
          fail: when`all c in pod.containers: c.image startsWith "r/"`,
          message: "image {{c.image}} is bad", // MARK-HOLE
        },
      },
    };
    const error = errorOf(() => policy("p", spec));
    expect(error.message).toBe(
      'policy "p", rule "r": {{c.image}}: c is not bound by an `any` at the top of the condition',
    );
    const line = lineOf("MARK-HOLE");
    expect(error.location).toEqual({
      file: FILE,
      line,
      column: (self[line - 1] as string).indexOf("c.image") + 1,
    });
  });

  it("a message hole may use the roots", () => {
    const spec = {
      ...base(),
      rules: {
        r: { fail: when`pod.spec.hostPID == true`, message: "{{pod.metadata.name}} uses hostPID" },
      },
    };
    expect(policy("p", spec).rules[0]?.message.parts[0]).toEqual({
      kind: "hole",
      expr: { kind: "ref", root: { kind: "pod" }, path: ["metadata", "name"] },
      source: "pod.metadata.name",
    });
  });

  it("an unclosed hole is an error", () => {
    const spec = {
      ...base(),
      rules: {
        r: { fail: when`pod.spec.hostPID == true`, message: "pod {{pod.metadata.name is bad" },
      },
    };
    expect(errorOf(() => policy("p", spec)).message).toBe(
      'policy "p", rule "r": the message has `{{` without a closing `}}`: "{{pod.metadata.name is bad"',
    );
  });

  it("a hole with a syntax error is an error", () => {
    const spec = {
      ...base(),
      rules: { r: { fail: when`pod.spec.hostPID == true`, message: "pod {{pod.metadata.}}" } },
    };
    expect(errorOf(() => policy("p", spec)).message).toBe(
      'policy "p", rule "r": {{pod.metadata.}}: expected a name but found the end of the condition',
    );
  });
});

describe("cases", () => {
  const spec = (cases: PolicySpec["cases"]): PolicySpec => ({ ...base(), cases });

  it("names objects by kind and name, keeps explicit names and rules", () => {
    const p = policy(
      "restrict-image-registries",
      spec({
        pass: [podWith({ image: "registry.example.com/api:1.4" })],
        fail: [
          {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "hub" },
            spec: { containers: [{ name: "a", image: "nginx" }] },
          },
          { name: "docker hub", resource: podWith({ image: "docker.io/x" }), rules: ["registry"] },
        ],
      }),
    );
    expect(p.cases.map((c) => [c.name, c.expect, c.rules])).toEqual([
      [expect.stringMatching(/^Pod\/pod-[0-9a-f]{8}$/), "pass", undefined],
      ["Pod/hub", "fail", undefined],
      ["docker hub", "fail", ["registry"]],
    ]);
    expect(() => validatePolicySet({ irVersion: 1, policies: [p] })).not.toThrow();
  });

  it("reads every document of a YAML file, relative to the calling file", () => {
    const p: Policy = policy(
      "restrict-image-registries",
      spec({ fail: [fromYaml("__fixtures__/cases/pods.yaml", { rules: ["registry"] })] }),
    );
    const file = fileURLToPath(new URL("__fixtures__/cases/pods.yaml", import.meta.url));
    expect(p.cases.map((c) => ({ name: c.name, source: c.source, rules: c.rules }))).toEqual([
      { name: "Pod/docker-hub", source: { file, line: 2 }, rules: ["registry"] },
      { name: "Pod/ghcr", source: { file, line: 11 }, rules: ["registry"] },
      { name: "pods.yaml#2", source: { file, line: 20 }, rules: ["registry"] },
    ]);
    expect(p.cases[0]?.resource).toMatchObject({
      kind: "Pod",
      spec: { containers: [{ image: "docker.io/library/nginx:1.27" }] },
    });
  });

  it("case names must be unique", () => {
    const pod1 = { apiVersion: "v1", kind: "Pod", metadata: { name: "same" } };
    expect(errorOf(() => policy("p", spec({ pass: [pod1], fail: [pod1] }))).message).toBe(
      'policy "p": two cases are named "Pod/same"',
    );
  });

  it("a case naming an unknown rule is an error", () => {
    expect(
      errorOf(() => policy("p", spec({ fail: [{ name: "x", resource: {}, rules: ["nope"] }] })))
        .message,
    ).toMatch(/names the rule `nope`, which the policy does not have/);
  });

  it("a missing YAML file is an error", () => {
    expect(
      errorOf(() => policy("p", spec({ pass: [fromYaml("__fixtures__/none.yaml")] }))).message,
    ).toMatch(/cannot read the cases file .*none\.yaml/);
  });

  it("an object without kind and name needs an explicit name", () => {
    expect(errorOf(() => policy("p", spec({ pass: [{ spec: {} }] }))).message).toMatch(
      /has no kind and metadata.name/,
    );
  });
});

describe("resource root", () => {
  it("reads object paths", () => {
    expect(resource.at("spec.type").eq("NodePort").toIR()).toEqual(
      when`object.spec.type == "NodePort"`.toIR(),
    );
  });
});

describe("freezing", () => {
  it("does not freeze the author's own case objects", () => {
    const resource = { apiVersion: "v1", kind: "Pod", metadata: { name: "mine" } };
    const p = policy("restrict-image-registries", { ...base(), cases: { pass: [resource] } });
    expect(Object.isFrozen(resource)).toBe(false);
    expect(Object.isFrozen(p.cases[0]?.resource)).toBe(true);
  });
});

describe("policy(): labels", () => {
  const selector = {
    matchLabels: { app: "web", "app.kubernetes.io/part-of": "shop", empty: "" },
    matchExpressions: [
      { key: "example.com/env", operator: "NotIn", values: ["prod"] },
      { key: "tier", operator: "In", values: ["front", "back"] },
      { key: "team", operator: "Exists" },
      { key: "legacy", operator: "DoesNotExist" },
    ],
  } as const;

  it("records the selector in the match, as valid IR", () => {
    const p = policy("labelled", { ...base(), labels: selector });
    expect(p.match).toEqual({ subject: "pod", controllers: true, labels: selector });
    expect(() => validatePolicySet({ irVersion: 1, policies: [p] })).not.toThrow();
    const bare = policy("bare", base());
    expect(bare.match).toEqual({ subject: "pod", controllers: true });
  });

  it.each([
    [
      "an unknown operator",
      { matchExpressions: [{ key: "a", operator: "Equals", values: ["x"] }] },
      /operator must be one of In, NotIn, Exists, DoesNotExist, not "Equals"/,
    ],
    [
      "values on Exists",
      { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] },
      /operator Exists takes no values/,
    ],
    [
      "In without values",
      { matchExpressions: [{ key: "a", operator: "In" }] },
      /operator In needs a non-empty list of values/,
    ],
    [
      "NotIn with no values",
      { matchExpressions: [{ key: "a", operator: "NotIn", values: [] }] },
      /operator NotIn needs a non-empty list of values/,
    ],
    [
      "an empty key",
      { matchLabels: { "": "x" } },
      /labels.matchLabels key "" is not a Kubernetes label key/,
    ],
    [
      "a key with a bad prefix",
      { matchExpressions: [{ key: "Example.com/a", operator: "Exists" }] },
      /matchExpressions\[0\].key "Example.com\/a" is not a Kubernetes label key/,
    ],
    [
      "a value with a glob",
      { matchLabels: { app: "web*" } },
      /labels.matchLabels\["app"\] "web\*" is not a Kubernetes label value/,
    ],
    [
      "a value over 63 characters",
      { matchLabels: { app: "a".repeat(64) } },
      /is not a Kubernetes label value/,
    ],
    [
      "a non-string value",
      { matchExpressions: [{ key: "a", operator: "In", values: [1] }] },
      /values\[0\] 1 is not a Kubernetes label value/,
    ],
    ["an unknown key", { matchLabel: { app: "web" } }, /labels has an unknown key `matchLabel`/],
    [
      "a requirement with an unknown key",
      { matchExpressions: [{ key: "a", operator: "Exists", value: "x" }] },
      /matchExpressions\[0\] has an unknown key `value`/,
    ],
    ["a string", "app=web", /labels must be a label selector/],
  ])(
    "refuses %s with a CharterError naming the policy and what to fix",
    (_what, labels, message) => {
      const error = errorOf(() =>
        policy("labelled", { ...base(), labels: labels as unknown as PolicySpec["labels"] }),
      );
      expect(error.message).toMatch(/^policy "labelled": /);
      expect(error.message).toMatch(message);
      expect(error.location.file).toBe(FILE);
    },
  );

  it("accepts a key of exactly 63 characters under a prefix, and refuses 64", () => {
    const ok = `example.com/${"a".repeat(63)}`;
    expect(() =>
      policy("labelled", {
        ...base(),
        labels: { matchExpressions: [{ key: ok, operator: "Exists" }] },
      }),
    ).not.toThrow();
    expect(() =>
      policy("labelled", {
        ...base(),
        labels: { matchExpressions: [{ key: `${ok}a`, operator: "Exists" }] },
      }),
    ).toThrow(/is not a Kubernetes label key/);
  });
});

describe("excludeTargets", () => {
  it("records the targets a policy is not built for, with the reasons", () => {
    const built = policy("excluded", { ...base(), excludeTargets: { vap: "no lists in CEL" } });
    expect(built.excludeTargets).toEqual({ vap: "no lists in CEL" });
    expect(() => validatePolicySet({ irVersion: 1, policies: [built] }, "x")).not.toThrow();
  });

  it("refuses an unknown target and an empty reason", () => {
    const unknown = errorOf(() =>
      policy("excluded", { ...base(), excludeTargets: { vapp: "typo" } as never }),
    );
    expect(unknown.message).toMatch(/excludeTargets has an unknown key `vapp`.*vap/);
    const empty = errorOf(() => policy("excluded", { ...base(), excludeTargets: { vap: "" } }));
    expect(empty.message).toMatch(/excludeTargets\.vap must be a non-empty string/);
  });
});
