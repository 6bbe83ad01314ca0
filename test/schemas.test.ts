/**
 * Every YAML document Charter emits validates against the real schema of its kind, from
 * ../shared/schemas (CI lays shared/ beside the repository): Kyverno and Gatekeeper CRDs
 * (`openAPIV3Schema` of the served version), and the Kubernetes OpenAPI v3 documents for
 * ValidatingAdmissionPolicy and its binding (upstream, `$ref`s resolved by ajv; and the derived
 * standalone-strict files).
 *
 * Two layers are added on top of the published schemas, because the API server enforces more
 * than they say:
 * - strict objects: a CRD schema accepts unknown fields (Kubernetes prunes them silently, so a
 *   misspelt `evaluation.backgroud` would just vanish); here every object schema that lists its
 *   properties and does not preserve unknown fields rejects others, the same derivation as the
 *   standalone-strict Kubernetes files (MANIFEST.md §4b).
 * - API rules: fields the API server requires that the OpenAPI leaves optional (every object's
 *   `metadata.name`; a VAP's `matchConstraints.resourceRules` and `validations`, a binding's
 *   `policyName` and `validationActions`; targets.md §4.1–4.2).
 *
 * Targets are found through @charter/compiler's exports, so a target that lands later (the
 * Gatekeeper emitter, Kyverno PolicyExceptions) is validated without editing this file. The
 * webhook's deployment manifests (`--target webhook`: Deployment, RBAC, webhook configuration…)
 * are validated in test/webhook-manifests.test.ts.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as compiler from "@charter/compiler";
import {
  DEFAULT_SYSTEM_NAMESPACES,
  type Expr,
  isCrossResource,
  type Policy,
  type PolicyException,
  readsRequest,
  type TargetName,
} from "@charter/ir";
import { crdVersionSchema, kubernetesAjv, strictSchema } from "@charter/test-support/crd-schemas";
import { REQUEST_POLICIES } from "@charter/test-support/request-table";
import type { ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import policies from "../policies/index.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const schemas = join(repo, "..", "shared", "schemas");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const ajv = kubernetesAjv();

/** The rules the API server applies beyond the OpenAPI schema, as JSON schema. */
const NAMED = { required: ["metadata"], properties: { metadata: { required: ["name"] } } };

function withApiRules(base: JsonObject | string, rules: object = {}): ValidateFunction {
  const ref = typeof base === "string" ? { $ref: base } : base;
  return ajv.compile({ allOf: [ref, NAMED, rules] });
}

const K8S_ADMISSION = "k8s-admissionregistration-v1";
ajv.addSchema(
  JSON.parse(
    readFileSync(
      join(schemas, "kubernetes/openapi-v3/apis__admissionregistration.k8s.io__v1_openapi.json"),
      "utf8",
    ),
  ),
  K8S_ADMISSION,
);
const k8sRef = (name: string) =>
  `${K8S_ADMISSION}#/components/schemas/io.k8s.api.admissionregistration.v1.${name}`;
const standalone = (file: string) =>
  JSON.parse(
    readFileSync(join(schemas, "kubernetes/standalone-strict", file), "utf8"),
  ) as JsonObject;

const VAP_RULES = {
  required: ["spec"],
  properties: {
    spec: {
      required: ["matchConstraints", "validations"],
      properties: {
        matchConstraints: { required: ["resourceRules"] },
        validations: { minItems: 1 },
      },
    },
  },
};
const BINDING_RULES = {
  required: ["spec"],
  properties: {
    spec: {
      required: ["policyName", "validationActions"],
      properties: { validationActions: { minItems: 1 } },
    },
  },
};

/** Validators per `apiVersion kind`: every one must accept a document. */
const VALIDATORS: ReadonlyMap<string, readonly ValidateFunction[]> = new Map([
  [
    "policies.kyverno.io/v1 ValidatingPolicy",
    [
      withApiRules(
        strictSchema(
          crdVersionSchema("kyverno/policies.kyverno.io_validatingpolicies.yaml", "v1"),
        ) as JsonObject,
      ),
    ],
  ],
  [
    "policies.kyverno.io/v1 ImageValidatingPolicy",
    [
      withApiRules(
        strictSchema(
          crdVersionSchema("kyverno/policies.kyverno.io_imagevalidatingpolicies.yaml", "v1"),
        ) as JsonObject,
      ),
    ],
  ],
  [
    "kyverno.io/v1 ClusterPolicy",
    [
      withApiRules(
        strictSchema(
          crdVersionSchema("kyverno/kyverno.io_clusterpolicies.yaml", "v1"),
        ) as JsonObject,
      ),
    ],
  ],
  [
    "kyverno.io/v2 PolicyException",
    [
      withApiRules(
        strictSchema(
          crdVersionSchema("kyverno/kyverno.io_policyexceptions.yaml", "v2"),
        ) as JsonObject,
      ),
    ],
  ],
  [
    "policies.kyverno.io/v1 PolicyException",
    [
      withApiRules(
        strictSchema(
          crdVersionSchema("kyverno/policies.kyverno.io_policyexceptions.yaml", "v1"),
        ) as JsonObject,
      ),
    ],
  ],
  [
    "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy",
    [
      withApiRules(k8sRef("ValidatingAdmissionPolicy"), VAP_RULES),
      ajv.compile(standalone("validatingadmissionpolicy-admissionregistration-v1.json")),
    ],
  ],
  [
    "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding",
    [
      withApiRules(k8sRef("ValidatingAdmissionPolicyBinding"), BINDING_RULES),
      ajv.compile(standalone("validatingadmissionpolicybinding-admissionregistration-v1.json")),
    ],
  ],
  [
    "templates.gatekeeper.sh/v1 ConstraintTemplate",
    [
      withApiRules(
        strictSchema(
          crdVersionSchema("gatekeeper/templates.gatekeeper.sh_constrainttemplates.yaml", "v1"),
        ) as JsonObject,
      ),
    ],
  ],
]);

const EMBEDDED_MATCH = strictSchema(
  (
    crdVersionSchema("gatekeeper/match.gatekeeper.sh_matchcrd.yaml", "match")
      .properties as JsonObject
  ).embeddedMatch as Json,
);

/**
 * A Constraint has no static CRD: Gatekeeper generates one per template (targets.md §2.5,
 * frameworks `CreateSchema`): `spec.match` is the embedded match, `spec.parameters` the
 * template's own parameter schema.
 */
function constraintValidator(template: JsonObject): ValidateFunction {
  const crd = ((template.spec as JsonObject).crd as JsonObject).spec as JsonObject;
  const kind = (crd.names as JsonObject).kind as string;
  const parameters = (crd.validation as JsonObject | undefined)?.openAPIV3Schema ?? {
    type: "object",
  };
  return withApiRules({
    type: "object",
    required: ["apiVersion", "kind", "metadata", "spec"],
    additionalProperties: false,
    properties: {
      apiVersion: { const: "constraints.gatekeeper.sh/v1beta1" },
      kind: { const: kind },
      metadata: {
        type: "object",
        properties: { name: { type: "string", maxLength: 63 } },
      },
      spec: {
        type: "object",
        additionalProperties: false,
        properties: {
          enforcementAction: { enum: ["deny", "dryrun", "warn", "scoped"] },
          match: EMBEDDED_MATCH,
          parameters: strictSchema(parameters),
        },
      },
    },
  });
}

interface Emitted {
  readonly target: string;
  readonly path: string;
  readonly documents: readonly JsonObject[];
}

/** Every YAML target @charter/compiler exports, with its options. */
type Emit = (policies: readonly Policy[]) => Map<string, string>;

/**
 * The policies a target is built from: those `charter build` builds (`policiesFor`: not those
 * that leave it out or wait for their signing keys), and for Gatekeeper's CEL engine not those reading beyond the resource
 * (its CEL driver has neither namespaceObject nor the inventory: docs/capabilities.md), the
 * admission request, nor a test of the operation.
 */
function builtFor(target: TargetName, celEngine = false): (p: readonly Policy[]) => Policy[] {
  return (input) =>
    compiler
      .policiesFor(input, target)
      .filter(
        (p) =>
          !(
            celEngine &&
            (isCrossResource(p) || readsRequest(p) || p.match.operations !== undefined)
          ),
      );
}

/** Exceptions on the first policy: every match field, for all rules and for one rule. */
function exceptionsOf(input: readonly Policy[]): PolicyException[] {
  const [first] = input;
  const rule = first?.rules[0]?.name;
  if (!first || !rule) return [];
  const base = { policy: first.name, reason: "r", owner: "o", expires: "2030-01-31" };
  return [
    {
      ...base,
      name: "whole-policy",
      match: {
        namespaces: ["team-a"],
        names: ["web-*"],
        kinds: [{ group: "apps", kind: "Deployment" }],
        labels: {
          matchLabels: { tier: "batch" },
          matchExpressions: [{ key: "x", operator: "Exists" }],
        },
      },
    },
    { ...base, name: "one-rule", rules: [rule], match: { names: ["job-?"] } },
    {
      ...base,
      name: "images",
      match: { images: ["registry.example.com/*"] },
      expires: "2030-01-31T12:30:00+02:00",
    },
  ];
}

function yamlTargets(): ReadonlyMap<string, Emit> {
  const exported = compiler as unknown as Record<string, unknown>;
  const kyverno = builtFor("kyverno");
  const targets = new Map<string, Emit>([
    ["kyverno", (p) => compiler.emitKyverno(kyverno(p))],
    ["kyverno-clusterpolicy", (p) => compiler.emitKyverno(kyverno(p), { api: "clusterpolicy" })],
    ["vap", (p) => compiler.emitVap(builtFor("vap")(p))],
    // Policy exceptions: Kyverno PolicyExceptions of both APIs, and CEL folded into policies.
    [
      "kyverno-exceptions",
      (p) => compiler.emitKyverno(kyverno(p), { exceptions: exceptionsOf(p) }),
    ],
    [
      "kyverno-clusterpolicy-exceptions",
      (p) =>
        compiler.emitKyverno(kyverno(p), { api: "clusterpolicy", exceptions: exceptionsOf(p) }),
    ],
    [
      "vap-exceptions",
      (p) => compiler.emitVap(builtFor("vap")(p), { exceptions: exceptionsOf(p) }),
    ],
    // The system namespaces as `charter build` writes them by default.
    [
      "kyverno-system-namespaces",
      (p) => compiler.emitKyverno(kyverno(p), { systemNamespaces: DEFAULT_SYSTEM_NAMESPACES }),
    ],
    [
      "kyverno-clusterpolicy-system-namespaces",
      (p) =>
        compiler.emitKyverno(kyverno(p), {
          api: "clusterpolicy",
          systemNamespaces: DEFAULT_SYSTEM_NAMESPACES,
        }),
    ],
    [
      "vap-system-namespaces",
      (p) => compiler.emitVap(builtFor("vap")(p), { systemNamespaces: DEFAULT_SYSTEM_NAMESPACES }),
    ],
  ]);
  const gatekeeper = exported.emitGatekeeper;
  if (typeof gatekeeper === "function") {
    const emit = gatekeeper as (p: readonly Policy[], o?: object) => Map<string, string>;
    targets.set("gatekeeper", (p) => emit(builtFor("gatekeeper")(p)));
    targets.set("gatekeeper-cel", (p) => emit(builtFor("gatekeeper", true)(p), { engine: "cel" }));
    targets.set("gatekeeper-system-namespaces", (p) =>
      emit(builtFor("gatekeeper")(p), { systemNamespaces: DEFAULT_SYSTEM_NAMESPACES }),
    );
  }
  return targets;
}

function parseDocuments(text: string, where: string): JsonObject[] {
  return parseAllDocuments(text).map((document, index) => {
    expect(document.errors, `${where} document ${index}`).toEqual([]);
    const value = document.toJS() as unknown;
    if (!isObject(value)) throw new Error(`${where} document ${index} is not an object`);
    return value;
  });
}

function emitAll(target: string, emit: Emit, input: readonly Policy[]): Emitted[] {
  return (
    [...emit(input)]
      .filter(([path]) => path.endsWith(".yaml") || path.endsWith(".yml"))
      // No SyncSet schema is in the shared pack; emit-gatekeeper.test.ts checks SyncSets against
      // Gatekeeper's syncset.gatekeeper.sh/v1alpha1 type.
      .filter(([path]) => !path.endsWith("/syncset.yaml"))
      .map(([path, text]) => ({
        target,
        path,
        documents: parseDocuments(text, `${target}/${path}`),
      }))
  );
}

/** The validators for one document, given the other documents of its target (templates). */
function validatorsFor(document: JsonObject, emitted: readonly Emitted[]): ValidateFunction[] {
  const key = `${document.apiVersion} ${document.kind}`;
  const known = VALIDATORS.get(key);
  if (known) return [...known];
  if (document.apiVersion === "constraints.gatekeeper.sh/v1beta1") {
    const template = emitted
      .flatMap((file) => file.documents)
      .find(
        (candidate) =>
          candidate.kind === "ConstraintTemplate" &&
          (
            (((candidate.spec as JsonObject).crd as JsonObject).spec as JsonObject)
              .names as JsonObject
          ).kind === document.kind,
      );
    if (!template)
      throw new Error(`no ConstraintTemplate emitted for constraint kind ${document.kind}`);
    return [constraintValidator(template)];
  }
  throw new Error(`no schema for ${key}: add it to test/schemas.test.ts (see MANIFEST.md)`);
}

function problems(document: JsonObject, emitted: readonly Emitted[]): string[] {
  return validatorsFor(document, emitted).flatMap((validate) =>
    validate(document)
      ? []
      : (validate.errors ?? []).map(
          (error) =>
            `${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)}`,
        ),
  );
}

// ---- policies to compile: the library, and variants that reach every branch of the emitters ----

const objectNameIs: Expr = {
  kind: "compare",
  op: "==",
  left: { kind: "ref", root: { kind: "object" }, path: ["metadata", "name"] },
  right: { kind: "literal", value: "forbidden" },
};

function variants(base: Policy): Policy[] {
  const kindsPolicy = (name: string, kinds: Policy["match"]): Policy => ({
    ...base,
    name,
    parameters: { schema: { type: "object", properties: {} }, values: {} },
    match: kinds,
    rules: [
      {
        name: "named",
        condition: objectNameIs,
        message: { template: "forbidden name", parts: [{ kind: "text", text: "forbidden name" }] },
      },
    ],
  });
  return [
    { ...base, name: `${base.name}-warn`, enforcement: "warn" },
    {
      ...base,
      name: `${base.name}-audit`,
      enforcement: "audit",
      match: { subject: "pod", controllers: false, namespaces: { include: ["team-a", "team-b"] } },
    },
    {
      ...base,
      name: `${base.name}-excluded`,
      match: { subject: "pod", controllers: true, namespaces: { exclude: ["kube-system"] } },
    },
    {
      ...base,
      name: `${base.name}-labelled`,
      match: {
        subject: "pod",
        controllers: true,
        labels: {
          matchLabels: { app: "web" },
          matchExpressions: [
            { key: "env", operator: "NotIn", values: ["prod"] },
            { key: "team", operator: "Exists" },
          ],
        },
      },
    },
    kindsPolicy("services-and-widgets", {
      subject: "kinds",
      kinds: [
        { group: "", kind: "Service" },
        { group: "networking.k8s.io", kind: "Ingress" },
        { group: "example.com", kind: "Widget" },
      ],
      namespaces: { include: ["apps"], exclude: ["apps-legacy"] },
    }),
    kindsPolicy("namespaces-named", {
      subject: "kinds",
      kinds: [{ group: "", kind: "Namespace" }],
      namespaces: { exclude: ["kube-system"] },
    }),
  ];
}

const library: readonly Policy[] = policies;
const firstPolicy = library[0];
if (!firstPolicy) throw new Error("policies/index.ts exports no policy");
// The admission-request table: operations other than the default and the request root.
const inputs: readonly Policy[] = [...library, ...variants(firstPolicy), ...REQUEST_POLICIES];

/** Per target its files, or the error it threw (reported as a failing test, not a crash). */
const results = [...yamlTargets()].map(([target, emit]) => {
  try {
    return { target, emitted: emitAll(target, emit, inputs) };
  } catch (error) {
    return { target, error };
  }
});
const emittedByTarget = new Map(
  results.flatMap((r) => (r.emitted ? [[r.target, r.emitted] as const] : [])),
);

describe("emitted YAML validates against ../shared/schemas", () => {
  it.each(results.map((r) => ({ note: r.target, error: r.error })))(
    "$note compiles every policy",
    ({ error }) => {
      if (error !== undefined) throw error;
    },
  );

  for (const [target, emitted] of emittedByTarget) {
    it.each(emitted.map((file) => ({ note: `${target}/${file.path}`, file })))(
      "$note",
      ({ file }) => {
        expect(file.documents.length).toBeGreaterThan(0);
        for (const document of file.documents) {
          expect(problems(document, emitted), `${document.kind} in ${target}/${file.path}`).toEqual(
            [],
          );
        }
      },
    );
  }

  it("covers every policy in policies/ on every target", () => {
    for (const [target, emitted] of emittedByTarget) {
      const names = emitted.flatMap((file) =>
        file.documents.map((d) => (d.metadata as JsonObject).name as string),
      );
      const base = target.startsWith("kyverno")
        ? "kyverno"
        : target.startsWith("gatekeeper")
          ? "gatekeeper"
          : "vap";
      for (const policy of builtFor(base as TargetName, target === "gatekeeper-cel")(library)) {
        expect(
          names.some((name) => name.includes(policy.name)),
          `${policy.name} on ${target}`,
        ).toBe(true);
      }
    }
  });
});

// ---- the schemas catch what they must: one missing required field per schema, and a typo ----

function firstOf(target: string, kind: string): { document: JsonObject; emitted: Emitted[] } {
  const emitted = emittedByTarget.get(target) ?? [];
  const document = emitted.flatMap((file) => file.documents).find((d) => d.kind === kind);
  if (!document) throw new Error(`${target} emitted no ${kind}`);
  return { document, emitted };
}

// biome-ignore lint/suspicious/noExplicitAny: the edits reach into emitted documents of any shape
type Editable = any;

/** A deep copy with `edit` applied. */
function edited(document: JsonObject, edit: (copy: Editable) => void): JsonObject {
  const copy = structuredClone(document);
  edit(copy);
  return copy;
}

const NEGATIVE: readonly {
  note: string;
  target: string;
  kind: string;
  edit: (copy: Editable) => void;
}[] = [
  {
    note: "ValidatingPolicy without a validation's expression",
    target: "kyverno",
    kind: "ValidatingPolicy",
    edit: (d) => delete d.spec.validations[0].expression,
  },
  {
    note: "ValidatingPolicy without spec",
    target: "kyverno",
    kind: "ValidatingPolicy",
    edit: (d) => delete d.spec,
  },
  {
    note: "ValidatingPolicy with a misspelt evaluation.backgroud",
    target: "kyverno",
    kind: "ValidatingPolicy",
    edit: (d) => {
      d.spec.evaluation.backgroud = d.spec.evaluation.background;
      delete d.spec.evaluation.background;
    },
  },
  {
    note: "ValidatingPolicy with an unknown validation action",
    target: "kyverno",
    kind: "ValidatingPolicy",
    edit: (d) => {
      d.spec.validationActions = ["Enforce"];
    },
  },
  {
    note: "ClusterPolicy rule without a name",
    target: "kyverno-clusterpolicy",
    kind: "ClusterPolicy",
    edit: (d) => delete d.spec.rules[0].name,
  },
  {
    note: "ClusterPolicy rule without match",
    target: "kyverno-clusterpolicy",
    kind: "ClusterPolicy",
    edit: (d) => delete d.spec.rules[0].match,
  },
  {
    note: "ClusterPolicy with a lower-case failureAction",
    target: "kyverno-clusterpolicy",
    kind: "ClusterPolicy",
    edit: (d) => {
      d.spec.rules[0].validate.failureAction = "enforce";
    },
  },
  {
    note: "ValidatingAdmissionPolicy validation without expression",
    target: "vap",
    kind: "ValidatingAdmissionPolicy",
    edit: (d) => delete d.spec.validations[0].expression,
  },
  {
    note: "ValidatingAdmissionPolicy without matchConstraints",
    target: "vap",
    kind: "ValidatingAdmissionPolicy",
    edit: (d) => delete d.spec.matchConstraints,
  },
  {
    note: "ValidatingAdmissionPolicy without metadata.name",
    target: "vap",
    kind: "ValidatingAdmissionPolicy",
    edit: (d) => delete d.metadata.name,
  },
  {
    note: "ValidatingAdmissionPolicyBinding without policyName",
    target: "vap",
    kind: "ValidatingAdmissionPolicyBinding",
    edit: (d) => delete d.spec.policyName,
  },
  {
    note: "ValidatingAdmissionPolicyBinding with a misspelt validationAction",
    target: "vap",
    kind: "ValidatingAdmissionPolicyBinding",
    edit: (d) => {
      d.spec.validationAction = d.spec.validationActions;
      delete d.spec.validationActions;
    },
  },
];

const GATEKEEPER_NEGATIVE: typeof NEGATIVE = [
  {
    note: "ConstraintTemplate code without engine",
    target: "gatekeeper",
    kind: "ConstraintTemplate",
    edit: (d) => delete d.spec.targets[0].code[0].engine,
  },
];

describe("the schemas reject a broken document", () => {
  const cases = [...NEGATIVE, ...(emittedByTarget.has("gatekeeper") ? GATEKEEPER_NEGATIVE : [])];
  it.each(cases)("$note", ({ target, kind, edit }) => {
    const { document, emitted } = firstOf(target, kind);
    expect(problems(document, emitted)).toEqual([]);
    expect(problems(edited(document, edit), emitted)).not.toEqual([]);
  });
});
