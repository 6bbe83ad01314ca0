/**
 * The Gatekeeper files as Kubernetes and Gatekeeper read them: every template validates
 * against the real ConstraintTemplate CRD, every Constraint against the schema Gatekeeper
 * generates for it (the match CRD's `embeddedMatch` and the template's parameter schema), the
 * parameter schema is structural, and the output is deterministic. The Rego inside is judged
 * on real OPA in packages/runtime/src/gatekeeper.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CharterError,
  type Expr,
  isCrossResource,
  type Json,
  type JsonObject,
  type Policy,
} from "@charter/ir";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import wholeLibrary from "../../../../policies/index.js";
import { celSourceFrom } from "./cel-source.js";
import { emitGatekeeper } from "./emit-gatekeeper.js";
import { gatekeeperKind, gatekeeperTemplateName } from "./names.js";

// Image rules (packages/ir README, item 18) reach no Rego or CEL engine: every target but
// Kyverno's image policies refuses them (packages/compiler/src/kyverno/image-policies.test.ts).
const policies = wholeLibrary.filter((policy) => policy.images === undefined);

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
/** Where CI has the shared schema pack: beside the repository. */
const schemas = join(repo, "..", "shared", "schemas", "gatekeeper");

function crdSchema(file: string, version: string): JsonObject {
  const crd = parse(readFileSync(join(schemas, file), "utf8")) as JsonObject;
  const versions = (crd.spec as JsonObject).versions as JsonObject[];
  const entry = versions.find((v) => v.name === version) as JsonObject;
  return (entry.schema as JsonObject).openAPIV3Schema as JsonObject;
}

const ajv = new Ajv({ strict: false, allErrors: true });
for (const format of ["int32", "int64"]) ajv.addFormat(format, true);
const validateTemplate = ajv.compile(
  crdSchema("templates.gatekeeper.sh_constrainttemplates.yaml", "v1"),
);
/** The dummy CRD's `embeddedMatch`: the schema of a Constraint's `spec.match`. */
const matchSchema = (
  crdSchema("match.gatekeeper.sh_matchcrd.yaml", "match").properties as JsonObject
).embeddedMatch as JsonObject;

/** The Constraint CRD Gatekeeper generates for a template (targets.md §2.5, FW-schema.go). */
function constraintSchema(template: JsonObject): object {
  const spec = ((template.spec as JsonObject).crd as JsonObject).spec as JsonObject;
  const parameters = (spec.validation as JsonObject).openAPIV3Schema as JsonObject;
  return {
    type: "object",
    required: ["apiVersion", "kind", "metadata", "spec"],
    properties: {
      apiVersion: { const: "constraints.gatekeeper.sh/v1beta1" },
      kind: { const: (spec.names as JsonObject).kind },
      metadata: {
        type: "object",
        required: ["name"],
        properties: { name: { type: "string", maxLength: 63 } },
      },
      spec: {
        type: "object",
        additionalProperties: false,
        properties: {
          enforcementAction: { enum: ["deny", "dryrun", "warn"] },
          match: { ...matchSchema, additionalProperties: false },
          parameters,
        },
      },
    },
  };
}

/** Kubernetes' structural rule: a type at every level (or preserve-unknown-fields). */
function structuralProblems(schema: Json, where = "openAPIV3Schema"): string[] {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return [where];
  const s = schema as JsonObject;
  const problems = typeof s.type === "string" ? [] : [`${where}: no type`];
  if (s.properties !== undefined && s.additionalProperties !== undefined) {
    problems.push(`${where}: properties beside additionalProperties`);
  }
  for (const [name, child] of Object.entries((s.properties as JsonObject | undefined) ?? {})) {
    problems.push(...structuralProblems(child, `${where}.properties.${name}`));
  }
  if (s.items !== undefined) problems.push(...structuralProblems(s.items, `${where}.items`));
  return problems;
}

function testPolicy(overrides: Partial<Policy> = {}): Policy {
  return {
    name: "no-privileged",
    title: 'Title with "quotes", {{braces}}, $(cmd) and ünïcode',
    description: "line one\nline two: - [not, a, list]",
    severity: "high",
    category: "test",
    controls: [],
    enforcement: "warn",
    match: { subject: "pod", controllers: true, namespaces: { exclude: ["kube-system"] } },
    parameters: {
      schema: {
        type: "object",
        properties: {
          allowed: { type: "array", items: { type: "string" }, default: ["a/"] },
          limits: { type: "object" },
        },
        additionalProperties: false,
      },
      values: { allowed: ['quo"te\\', "{{x}}"], limits: { any: [1, { deep: true }] } },
    },
    rules: [
      {
        name: "r",
        condition: { kind: "literal", value: true },
        message: { template: "m", parts: [{ kind: "text", text: "m" }] },
      },
    ],
    cases: [],
    ...overrides,
  };
}

function documents(files: ReadonlyMap<string, string>, suffix: string): JsonObject[] {
  return [...files]
    .filter(([path]) => path.endsWith(suffix))
    .map(([, text]) => parse(text) as JsonObject);
}

describe.each([
  ["the policy library", "rego", policies],
  ["a policy with hostile strings and object parameters", "rego", [testPolicy()]],
  // Gatekeeper's CEL engine reads nothing beyond the object: cross-resource policies are Rego-only.
  ["the policy library", "cel", policies.filter((p) => !isCrossResource(p))],
  ["a policy with hostile strings and object parameters", "cel", [testPolicy()]],
] as const)("emitGatekeeper on %s (engine %s)", (_name, engine, set) => {
  const files = emitGatekeeper(set, { engine });

  it("writes a template and a constraint per policy, sorted", () => {
    // Rego templates of policies reading other objects ship their SyncSet.
    const expected = set
      .flatMap((p) => [
        `${p.name}/constraint.yaml`,
        ...(engine === "rego" && isCrossResource(p) ? [`${p.name}/syncset.yaml`] : []),
        `${p.name}/template.yaml`,
      ])
      .sort();
    expect([...files.keys()]).toEqual(expected);
  });

  it("validates every template against the ConstraintTemplate CRD (v1)", () => {
    for (const template of documents(files, "template.yaml")) {
      expect(validateTemplate(template), JSON.stringify(validateTemplate.errors)).toBe(true);
      const spec = template.spec as JsonObject;
      const names = ((spec.crd as JsonObject).spec as JsonObject).names as JsonObject;
      // Gatekeeper: metadata.name is the lower-cased kind; exactly one target.
      expect((template.metadata as JsonObject).name).toBe(String(names.kind).toLowerCase());
      expect(spec.targets).toHaveLength(1);
      const target = (spec.targets as JsonObject[])[0] as JsonObject;
      expect(target.target).toBe("admission.k8s.gatekeeper.sh");
      expect(target.rego).toBeUndefined();
      const code = target.code as JsonObject[];
      if (engine === "cel") {
        // Only CEL: a template carrying both would run only its CEL anyway.
        expect(code.map((c) => c.engine)).toEqual(["K8sNativeValidation"]);
        const source = code[0]?.source as JsonObject;
        expect(Object.keys(source).sort()).toEqual(expect.arrayContaining(["validations"]));
        const validations = source.validations as JsonObject[];
        expect(validations.length).toBeGreaterThan(0);
        for (const v of validations) expect(typeof v.expression).toBe("string");
        const names = [
          ...((source.variables as JsonObject[] | undefined) ?? []),
          ...((source.matchCondition as JsonObject[] | undefined) ?? []),
        ].map((n) => n.name);
        expect(names).not.toContain("params");
        if ((template.metadata as JsonObject).name === "charterrestrictimageregistries") {
          expect(JSON.stringify(source)).toContain("variables.params");
        }
        continue;
      }
      expect(code.map((c) => c.engine)).toEqual(["Rego"]);
      const source = code[0]?.source as JsonObject;
      expect(source.version).toBe("v1");
      expect(source.rego).toMatch(/\nviolation contains \{"msg": /);
      expect(source.rego).not.toMatch(/import rego\.v1|import input/);
      expect(source.libs as string[]).toHaveLength(1);
      expect((source.libs as string[])[0]).toMatch(/^(#.*\n)*package lib\.charter\n/);
      // Gatekeeper allows no data reference but data.lib and data.inventory.
      for (const module of [source.rego as string, ...(source.libs as string[])]) {
        expect(module.match(/\bdata\.(?!lib\.|inventory\b)\w*/g)).toBeNull();
      }
    }
  });

  it("is checked by a schema that can fail", () => {
    const [template] = documents(files, "template.yaml") as [JsonObject];
    const broken = structuredClone(template) as { spec: { targets: unknown } };
    broken.spec.targets = [{ code: "not a list" }];
    expect(validateTemplate(broken)).toBe(false);
  });

  it("gives every template a structural parameter schema", () => {
    for (const template of documents(files, "template.yaml")) {
      const spec = ((template.spec as JsonObject).crd as JsonObject).spec as JsonObject;
      const validation = spec.validation as JsonObject;
      expect(validation.legacySchema).toBe(false);
      expect(structuralProblems(validation.openAPIV3Schema as Json)).toEqual([]);
    }
  });

  it("validates every constraint against the schema Gatekeeper generates for its template", () => {
    const templates = documents(files, "template.yaml");
    for (const constraint of documents(files, "constraint.yaml")) {
      const template = templates.find(
        (t) =>
          (((t.spec as JsonObject).crd as JsonObject).spec as JsonObject).names !== undefined &&
          ((((t.spec as JsonObject).crd as JsonObject).spec as JsonObject).names as JsonObject)
            .kind === constraint.kind,
      ) as JsonObject;
      const validate = ajv.compile(constraintSchema(template));
      expect(validate(constraint), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it("carries the parameter values and the policy's strings exactly", () => {
    for (const policy of set) {
      const constraint = parse(files.get(`${policy.name}/constraint.yaml`) ?? "") as JsonObject;
      expect((constraint.spec as JsonObject).parameters).toEqual(policy.parameters.values);
      const template = parse(files.get(`${policy.name}/template.yaml`) ?? "") as JsonObject;
      expect((template.metadata as JsonObject).annotations).toEqual({
        "metadata.gatekeeper.sh/title": policy.title,
        description: policy.description,
      });
    }
  });

  it("is deterministic whatever the input order", () => {
    expect([...emitGatekeeper([...set].reverse(), { engine })]).toEqual([...files]);
    expect([...emitGatekeeper(set, { engine })]).toEqual([...files]);
  });
});

describe("Gatekeeper names and matches", () => {
  it("derives the kind from the policy name and the template name from the kind", () => {
    expect(gatekeeperKind({ name: "disallow-host-path" })).toBe("CharterDisallowHostPath");
    expect(gatekeeperTemplateName({ name: "disallow-host-path" })).toBe("charterdisallowhostpath");
    expect(gatekeeperKind({ name: "run-as-2nd-user" })).toBe("CharterRunAs2ndUser");
  });

  it("maps enforcement deny→deny, warn→warn, audit→dryrun", () => {
    const actions = (["deny", "warn", "audit"] as const).map((enforcement) => {
      const files = emitGatekeeper([testPolicy({ enforcement })]);
      const constraint = parse(files.get("no-privileged/constraint.yaml") ?? "") as JsonObject;
      return (constraint.spec as JsonObject).enforcementAction;
    });
    expect(actions).toEqual(["deny", "warn", "dryrun"]);
  });

  it("matches Pods and every pod controller by API group, with the namespace filter", () => {
    const files = emitGatekeeper([testPolicy()]);
    const constraint = parse(files.get("no-privileged/constraint.yaml") ?? "") as JsonObject;
    expect((constraint.spec as JsonObject).match).toEqual({
      kinds: [
        { apiGroups: [""], kinds: ["Pod", "ReplicationController"] },
        { apiGroups: ["apps"], kinds: ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"] },
        { apiGroups: ["batch"], kinds: ["Job", "CronJob"] },
      ],
      excludedNamespaces: ["kube-system"],
    });
    const only = emitGatekeeper([
      testPolicy({
        match: {
          subject: "kinds",
          kinds: [{ group: "", kind: "Service" }],
          namespaces: { include: ["prod"] },
        },
      }),
    ]);
    const c = parse(only.get("no-privileged/constraint.yaml") ?? "") as JsonObject;
    expect((c.spec as JsonObject).match).toEqual({
      kinds: [{ apiGroups: [""], kinds: ["Service"] }],
      namespaces: ["prod"],
    });
  });

  it("adds the system namespaces to every Constraint's excludedNamespaces, and nothing to the Rego", () => {
    const systemNamespaces = ["kube-system", "kube-public"];
    const files = emitGatekeeper([testPolicy()], { systemNamespaces });
    const constraint = parse(files.get("no-privileged/constraint.yaml") ?? "") as JsonObject;
    // The policy's own kube-system is not listed twice.
    expect(((constraint.spec as JsonObject).match as JsonObject).excludedNamespaces).toEqual([
      "kube-system",
      "kube-public",
    ]);
    const template = files.get("no-privileged/template.yaml") ?? "";
    expect(template).not.toContain("system_namespace");
    expect(template).not.toContain("data.charter");
    expect(template).toBe(emitGatekeeper([testPolicy()]).get("no-privileged/template.yaml"));
    // A policy on Namespaces: its own filter only in the Rego (Gatekeeper reads a Namespace's
    // name), the system namespaces natively.
    const onNamespaces = emitGatekeeper(
      [
        testPolicy({
          match: {
            subject: "kinds",
            kinds: [{ group: "", kind: "Namespace" }],
            namespaces: { exclude: ["team-a"] },
          },
        }),
      ],
      { systemNamespaces },
    );
    const c = parse(onNamespaces.get("no-privileged/constraint.yaml") ?? "") as JsonObject;
    expect((c.spec as JsonObject).match).toEqual({
      kinds: [{ apiGroups: [""], kinds: ["Namespace"] }],
      excludedNamespaces: ["kube-system", "kube-public"],
    });
  });

  it("makes parameter schemas structural", () => {
    const files = emitGatekeeper([testPolicy()]);
    const template = parse(files.get("no-privileged/template.yaml") ?? "") as JsonObject;
    const spec = ((template.spec as JsonObject).crd as JsonObject).spec as JsonObject;
    expect((spec.validation as JsonObject).openAPIV3Schema).toEqual({
      type: "object",
      properties: {
        allowed: { type: "array", items: { type: "string" }, default: ["a/"] },
        limits: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        // Room for the policy's exceptions in the Constraint (pruned otherwise).
        charterExceptions: {
          type: "array",
          items: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        },
      },
    });
  });
});

describe("what Gatekeeper cannot express is a CharterError naming policy and target", () => {
  it.each([
    [
      "a namespace Gatekeeper would read as a glob",
      testPolicy({
        match: { subject: "pod", controllers: true, namespaces: { exclude: ["kube-*"] } },
      }),
      /policy "no-privileged": the namespace "kube-\*".*target "gatekeeper"/,
    ],
    [
      "a parameter schema that is not structural",
      testPolicy({
        parameters: { schema: { type: "object", properties: { x: { oneOf: [] } } }, values: {} },
      }),
      /policy "no-privileged", parameter schema at parameters\.properties\.x: .*target "gatekeeper"/,
    ],
    [
      "a policy name too long for a template name",
      testPolicy({ name: `p-${"x".repeat(60)}` }),
      /not a DNS label of at most 63 characters; target "gatekeeper"/,
    ],
    [
      "an unbound variable",
      testPolicy({
        rules: [
          {
            name: "broken",
            condition: {
              kind: "exists",
              arg: { kind: "ref", root: { kind: "var", name: "x" }, path: [] },
            },
            message: { template: "", parts: [] },
          },
        ],
      }),
      /policy "no-privileged", rule "broken": .*target "gatekeeper"/,
    ],
  ])("%s", (_name, policy, message) => {
    expect(() => emitGatekeeper([policy])).toThrow(CharterError);
    expect(() => emitGatekeeper([policy])).toThrow(message);
  });

  it("two policies whose template names collide", () => {
    expect(() => emitGatekeeper([testPolicy({ name: "a-b" }), testPolicy({ name: "ab" })])).toThrow(
      /policies "a-b" and "ab" share the Gatekeeper template "charterab"/,
    );
  });
});

describe("the K8sNativeValidation source", () => {
  const cel = {
    variables: [{ name: "containers", expression: "object.spec.containers" }],
    matchConditions: [{ name: "is-pod", expression: "object.kind == 'Pod'" }],
    validations: [
      {
        rule: "r",
        expression: "variables.containers.all(c, c.image != '')",
        messageExpression: "'bad'",
        message: "bad",
      },
    ],
  };

  it("maps the CEL emitter's output to Gatekeeper's keys (matchCondition is singular)", () => {
    expect(celSourceFrom(testPolicy(), cel)).toEqual({
      variables: [{ name: "containers", expression: "object.spec.containers" }],
      matchCondition: [{ name: "is-pod", expression: "object.kind == 'Pod'" }],
      validations: [
        {
          expression: "variables.containers.all(c, c.image != '')",
          message: "bad",
          messageExpression: "'bad'",
        },
      ],
    });
  });

  it.each(["params", "anyObject", "gatekeeper_internal_x"])(
    "refuses the reserved name %s",
    (name) => {
      const reserved = { ...cel, variables: [{ name, expression: "1" }] };
      expect(() => celSourceFrom(testPolicy(), reserved)).toThrow(
        /reserved by Gatekeeper; target "gatekeeper"/,
      );
    },
  );
});

/**
 * The SyncSet schema: there is none in the shared schema pack, so this is Gatekeeper's
 * `syncset.gatekeeper.sh/v1alpha1` type (apis/syncset/v1alpha1: spec.gvks of {group, version,
 * kind} strings), closed so that a misspelt field fails.
 */
const validateSyncSet = ajv.compile({
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: "syncset.gatekeeper.sh/v1alpha1" },
    kind: { const: "SyncSet" },
    metadata: {
      type: "object",
      required: ["name"],
      properties: {
        name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 253 },
        annotations: { type: "object", additionalProperties: { type: "string" } },
      },
    },
    spec: {
      type: "object",
      additionalProperties: false,
      properties: {
        gvks: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            additionalProperties: false,
            required: ["group", "version", "kind"],
            properties: {
              group: { type: "string" },
              version: { type: "string", minLength: 1 },
              kind: { type: "string", minLength: 1 },
            },
          },
        },
      },
    },
  },
});

describe("the SyncSet of a cross-resource policy", () => {
  const namespaceLabel: Expr = {
    kind: "ref",
    root: { kind: "namespace" },
    path: ["metadata", "labels", "x"],
  };
  const netpols: Expr = {
    kind: "inventory",
    apiVersion: "networking.k8s.io/v1",
    resource: "NetworkPolicy",
    namespace: { kind: "ref", root: { kind: "object" }, path: ["metadata", "namespace"] },
  };
  const crossing = testPolicy({
    name: "cross-check",
    rules: [
      {
        name: "r",
        condition: {
          kind: "and",
          args: [
            { kind: "exists", arg: namespaceLabel },
            { kind: "len", arg: netpols },
          ],
        },
        message: { template: "m", parts: [{ kind: "text", text: "m" }] },
      },
    ],
  });

  it("lists the Namespace and every inventory kind, named like the template", () => {
    const files = emitGatekeeper([crossing, testPolicy()]);
    expect([...files.keys()]).toEqual([
      "cross-check/constraint.yaml",
      "cross-check/syncset.yaml",
      "cross-check/template.yaml",
      "no-privileged/constraint.yaml",
      "no-privileged/template.yaml",
    ]);
    const syncSet = parse(files.get("cross-check/syncset.yaml") ?? "") as JsonObject;
    expect(validateSyncSet(syncSet), JSON.stringify(validateSyncSet.errors)).toBe(true);
    expect(syncSet).toEqual({
      apiVersion: "syncset.gatekeeper.sh/v1alpha1",
      kind: "SyncSet",
      metadata: {
        name: "chartercrosscheck",
        annotations: {
          "charter.dev/policy": "cross-check",
          "charter.dev/why":
            'the Charter policy "cross-check" reads v1 Namespace, networking.k8s.io/v1 NetworkPolicy from data.inventory; Gatekeeper syncs only the kinds a SyncSet or its Config lists',
        },
      },
      spec: {
        gvks: [
          { group: "", version: "v1", kind: "Namespace" },
          { group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy" },
        ],
      },
    });
    const template = parse(files.get("cross-check/template.yaml") ?? "") as JsonObject;
    expect(validateTemplate(template), JSON.stringify(validateTemplate.errors)).toBe(true);
    const rego = JSON.stringify(template);
    expect(rego).toContain("lib.namespace_object != null");
    expect(rego).toContain('lib.inventory_namespaced(\\"networking.k8s.io/v1\\"');
  });

  it("is checked by a schema that can fail", () => {
    const files = emitGatekeeper([crossing]);
    const syncSet = parse(files.get("cross-check/syncset.yaml") ?? "") as JsonObject;
    const broken = structuredClone(syncSet) as { spec: { gvks: JsonObject[] } };
    broken.spec.gvks = [{ group: "", kind: "Namespace" }];
    expect(validateSyncSet(broken)).toBe(false);
  });

  it("is not written for CEL templates, which read no data.inventory", () => {
    const policy = testPolicy({
      name: "cross-check",
      rules: [
        {
          name: "r",
          condition: { kind: "exists", arg: namespaceLabel },
          message: { template: "m", parts: [{ kind: "text", text: "m" }] },
        },
      ],
    });
    let files: Map<string, string> | undefined;
    try {
      files = emitGatekeeper([policy], { engine: "cel" });
    } catch (error) {
      // The CEL emitter may refuse the construct; then there is nothing to sync either.
      expect(error).toBeInstanceOf(CharterError);
      return;
    }
    expect([...files.keys()]).not.toContain("cross-check/syncset.yaml");
  });
});
